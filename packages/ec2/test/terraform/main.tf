data "aws_availability_zones" "available" {
  state = "available"
}

data "aws_vpc" "default" {
  default = true
}

resource "aws_vpc" "main" {
  cidr_block           = "10.40.0.0/16"
  enable_dns_hostnames = true
  tags = {
    Name = "dockside-tf"
  }
}

resource "aws_subnet" "private" {
  count             = 2
  vpc_id            = aws_vpc.main.id
  cidr_block        = cidrsubnet(aws_vpc.main.cidr_block, 8, count.index)
  availability_zone = data.aws_availability_zones.available.names[count.index]
  tags = {
    Name = "private-${count.index}"
  }
}

resource "aws_security_group" "web" {
  name        = "web"
  description = "web tier"
  vpc_id      = aws_vpc.main.id

  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

data "aws_subnets" "mine" {
  filter {
    name   = "vpc-id"
    values = [aws_vpc.main.id]
  }
  depends_on = [aws_subnet.private]
}

output "subnet_ids" {
  value = data.aws_subnets.mine.ids
}

output "default_vpc" {
  value = data.aws_vpc.default.cidr_block
}

resource "aws_internet_gateway" "gw" {
  vpc_id = aws_vpc.main.id
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.gw.id
  }
}

resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.private[0].id
  route_table_id = aws_route_table.public.id
}

resource "aws_eip" "nat" {
  domain = "vpc"
}

resource "aws_nat_gateway" "nat" {
  allocation_id = aws_eip.nat.id
  subnet_id     = aws_subnet.private[0].id
  depends_on    = [aws_internet_gateway.gw]
}

# A gateway endpoint for S3 on its own route table, a customer prefix list, and the launch
# template an Auto Scaling group of ECS container instances would use.
resource "aws_route_table" "endpoints" {
  vpc_id = aws_vpc.main.id
}

resource "aws_vpc_endpoint" "s3" {
  vpc_id          = aws_vpc.main.id
  service_name    = "com.amazonaws.us-east-1.s3"
  route_table_ids = [aws_route_table.endpoints.id]
  tags            = { Name = "dockside-tf-s3" }
}

resource "aws_ec2_managed_prefix_list" "offices" {
  name           = "dockside-offices"
  address_family = "IPv4"
  max_entries    = 5
  entry {
    cidr        = "198.51.100.0/24"
    description = "hq"
  }
}

resource "aws_launch_template" "nodes" {
  name                   = "dockside-nodes"
  image_id               = "ami-0123456789abcdef0"
  instance_type          = "t3.micro"
  user_data              = base64encode("#!/bin/bash\necho ECS_CLUSTER=web >> /etc/ecs/ecs.config\n")
  vpc_security_group_ids = [aws_security_group.web.id]
  tags                   = { team = "ops" }
}
