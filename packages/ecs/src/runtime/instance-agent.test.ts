import { clusterOfUserData } from './instance-agent';

test.each<[string, boolean, string | undefined]>([
  ['#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config\n', false, 'prod'],
  ['ECS_CLUSTER="my-cluster"\nECS_ENABLE_TASK_IAM_ROLE=true', false, 'my-cluster'],
  ['#cloud-config\nwrite_files:\n  - path: /etc/ecs/ecs.config\n    content: ECS_CLUSTER=web_1\n', false, 'web_1'],
  ['#!/bin/bash\nyum install -y nginx\n', false, undefined],
  ['', true, 'default'],
  ['echo ECS_CLUSTER=other >> /etc/ecs/ecs.config', true, 'other'],
])('user data %j (ECS-optimized AMI: %s) → cluster %s', (userData, ecsOptimized, cluster) => {
  expect(clusterOfUserData(userData, ecsOptimized)).toBe(cluster);
});
