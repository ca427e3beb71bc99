# What a Terraform user of ECS declares around a service: a log group, a secret (and its value),
# a parameter, a cluster, a task definition reading both, and a service. Applied against Dockside.

resource "aws_cloudwatch_log_group" "app" {
  name              = "/ecs/tf-app"
  retention_in_days = 7
  tags              = { team = "platform" }
}

resource "aws_secretsmanager_secret" "db" {
  name                    = "tf-app/db"
  description             = "database credentials"
  recovery_window_in_days = 0
  tags                    = { team = "platform" }
}

resource "aws_secretsmanager_secret_version" "db" {
  secret_id     = aws_secretsmanager_secret.db.id
  secret_string = jsonencode({ username = "app", password = "s3cret" })
}

resource "aws_ssm_parameter" "level" {
  name        = "/tf-app/log-level"
  type        = "String"
  value       = "debug"
  description = "application log level"
  tags        = { team = "platform" }
}

resource "aws_ecs_cluster" "main" {
  name = "tf-cluster"
  setting {
    name  = "containerInsights"
    value = "enabled"
  }
  tags = { team = "platform" }
}

resource "aws_ecs_task_definition" "app" {
  family                   = "tf-app"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = "256"
  memory                   = "512"
  execution_role_arn       = "arn:aws:iam::000000000000:role/ecsTaskExecutionRole"
  container_definitions = jsonencode([{
    name      = "app"
    image     = "dockside-test/busybox:latest"
    essential = true
    command   = ["sleep", "3600"]
    secrets = [
      { name = "DB", valueFrom = aws_secretsmanager_secret.db.arn },
      { name = "LOG_LEVEL", valueFrom = aws_ssm_parameter.level.name },
    ]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        "awslogs-group"         = aws_cloudwatch_log_group.app.name
        "awslogs-region"        = "us-east-1"
        "awslogs-stream-prefix" = "app"
      }
    }
  }])
  tags = { team = "platform" }
}

resource "aws_ecs_service" "app" {
  name            = "tf-app"
  cluster         = aws_ecs_cluster.main.id
  task_definition = aws_ecs_task_definition.app.arn
  desired_count   = 0
  launch_type     = "FARGATE"
  network_configuration {
    subnets         = ["subnet-0123456789abcdef0"]
    security_groups = ["sg-0123456789abcdef0"]
  }
}
