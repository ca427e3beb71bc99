# What a Terraform user declares in front of an ECS service: an ALB, two target groups, an
# HTTP listener with a path rule, a target attachment, and an NLB with a TCP listener.
variable "alb_port" { type = number }
variable "nlb_port" { type = number }

resource "aws_lb" "web" {
  name               = "tf-web"
  load_balancer_type = "application"
  subnets            = ["subnet-0a", "subnet-0b"]
  security_groups    = ["sg-0123456789abcdef0"]
  idle_timeout       = 30
  tags               = { team = "platform" }
}

resource "aws_lb_target_group" "api" {
  name                 = "tf-api"
  port                 = 8080
  protocol             = "HTTP"
  target_type          = "ip"
  vpc_id               = "vpc-0123456789abcdef0"
  deregistration_delay = 10
  health_check {
    path                = "/health"
    matcher             = "200-299"
    interval            = 10
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
  stickiness {
    type            = "lb_cookie"
    cookie_duration = 3600
    enabled         = true
  }
}

resource "aws_lb_target_group" "web" {
  name        = "tf-web"
  port        = 80
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = "vpc-0123456789abcdef0"
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.web.arn
  port              = var.alb_port
  protocol          = "HTTP"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}

resource "aws_lb_listener_rule" "api" {
  listener_arn = aws_lb_listener.http.arn
  priority     = 10
  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.api.arn
  }
  condition {
    path_pattern {
      values = ["/api/*"]
    }
  }
}

resource "aws_lb_listener_rule" "maintenance" {
  listener_arn = aws_lb_listener.http.arn
  priority     = 20
  action {
    type = "fixed-response"
    fixed_response {
      content_type = "text/plain"
      message_body = "down for maintenance"
      status_code  = "503"
    }
  }
  condition {
    http_header {
      http_header_name = "X-Maintenance"
      values           = ["on"]
    }
  }
}

resource "aws_lb_target_group_attachment" "api" {
  target_group_arn = aws_lb_target_group.api.arn
  target_id        = "127.0.0.1"
  port             = 8080
}

resource "aws_lb" "tcp" {
  name               = "tf-tcp"
  load_balancer_type = "network"
  internal           = true
  subnets            = ["subnet-0a"]
}

resource "aws_lb_target_group" "tcp" {
  name     = "tf-tcp"
  port     = 7000
  protocol = "TCP"
  vpc_id   = "vpc-0123456789abcdef0"
}

resource "aws_lb_listener" "tcp" {
  load_balancer_arn = aws_lb.tcp.arn
  port              = var.nlb_port
  protocol          = "TCP"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.tcp.arn
  }
}

output "alb_dns" { value = aws_lb.web.dns_name }
