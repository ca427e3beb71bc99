# What a Terraform user declares around ECS events: a custom bus, a rule with a pattern, a
# scheduled rule running an ECS task, and a log group target.

resource "aws_cloudwatch_event_bus" "orders" {
  name = "tf-orders"
}

resource "aws_cloudwatch_log_group" "failed" {
  name = "/events/tf-failed"
}

resource "aws_cloudwatch_event_rule" "failed_tasks" {
  name        = "tf-failed-tasks"
  description = "ECS tasks that stopped with an error"
  event_pattern = jsonencode({
    source        = ["aws.ecs"]
    "detail-type" = ["ECS Task State Change"]
    detail = {
      lastStatus = ["STOPPED"]
      containers = { exitCode = [{ numeric = [">", 0] }] }
    }
  })
}

resource "aws_cloudwatch_event_target" "failed_to_logs" {
  rule = aws_cloudwatch_event_rule.failed_tasks.name
  arn  = aws_cloudwatch_log_group.failed.arn
}

resource "aws_cloudwatch_event_rule" "nightly" {
  name                = "tf-nightly"
  schedule_expression = "cron(0 3 * * ? *)"
}

resource "aws_cloudwatch_event_target" "nightly_task" {
  rule     = aws_cloudwatch_event_rule.nightly.name
  arn      = "arn:aws:ecs:us-east-1:000000000000:cluster/default"
  role_arn = "arn:aws:iam::000000000000:role/events"
  input    = jsonencode({ containerOverrides = [{ name = "main", command = ["echo", "nightly"] }] })
  ecs_target {
    task_definition_arn = "arn:aws:ecs:us-east-1:000000000000:task-definition/job:1"
    task_count          = 1
    launch_type         = "FARGATE"
    network_configuration {
      subnets          = ["subnet-0123456789abcdef0"]
      assign_public_ip = false
    }
  }
}

resource "aws_cloudwatch_event_rule" "orders" {
  name           = "tf-orders-rule"
  event_bus_name = aws_cloudwatch_event_bus.orders.name
  event_pattern  = jsonencode({ source = ["shop"] })
}

# EventBridge Scheduler: a group and a weekday schedule in it, running the same ECS task.
resource "aws_scheduler_schedule_group" "jobs" {
  name = "tf-jobs"
  tags = { team = "ops" }
}

resource "aws_scheduler_schedule" "weekday" {
  name                         = "tf-weekday"
  group_name                   = aws_scheduler_schedule_group.jobs.name
  schedule_expression          = "cron(30 8 ? * MON-FRI *)"
  schedule_expression_timezone = "Europe/Paris"
  description                  = "weekday report"
  flexible_time_window {
    mode                      = "FLEXIBLE"
    maximum_window_in_minutes = 15
  }
  target {
    arn      = "arn:aws:ecs:us-east-1:000000000000:cluster/default"
    role_arn = "arn:aws:iam::000000000000:role/scheduler"
    input    = jsonencode({ containerOverrides = [{ name = "main", command = ["echo", "report"] }] })
    retry_policy {
      maximum_retry_attempts = 3
    }
    ecs_parameters {
      task_definition_arn = "arn:aws:ecs:us-east-1:000000000000:task-definition/job:1"
      launch_type         = "FARGATE"
      network_configuration {
        subnets          = ["subnet-0123456789abcdef0"]
        assign_public_ip = false
      }
    }
  }
}
