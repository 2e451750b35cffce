#!/usr/bin/env bash
# Stops a CI deploy before `pulumi up` when the deploy role could not reach
# the stack's cluster: EKS makes only the cluster's creator admin, so a
# cluster a person created needs an access entry for DEPLOY_ROLE_ARN, which
# `pulumi config set deployRoleArn` asks the stack for (docs/security.md,
# "Deploying from CI"). It reads only: the stack's outputs and config, and
# `aws eks describe-access-entry`.
# Environment: STACK, DEPLOY_ROLE_ARN, and what `pulumi` needs to read the
# stack (PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE).
set -euo pipefail
: "${STACK:?}" "${DEPLOY_ROLE_ARN:?}"

cluster="$(pulumi stack output clusterName --stack "$STACK" 2>/dev/null || true)"
if [ -z "$cluster" ]; then
  echo "stack $STACK has no cluster yet: this run creates it, and EKS makes the deploy role its admin"
  exit 0
fi
configured="$(pulumi config get deployRoleArn --stack "$STACK" 2>/dev/null || true)"
if [ "$configured" = "$DEPLOY_ROLE_ARN" ]; then
  echo "deployRoleArn is $DEPLOY_ROLE_ARN: the stack keeps its access entry"
  exit 0
fi
if aws eks describe-access-entry --cluster-name "$cluster" --principal-arn "$DEPLOY_ROLE_ARN" >/dev/null 2>&1; then
  echo "$DEPLOY_ROLE_ARN has an access entry on $cluster"
  exit 0
fi
echo "::error::$DEPLOY_ROLE_ARN has no access entry on cluster $cluster (created by someone else), so every Kubernetes call of this update would be Unauthorized. Run, as the cluster's creator: pulumi config set deployRoleArn $DEPLOY_ROLE_ARN --stack $STACK && pulumi up --stack $STACK, commit Pulumi.$STACK.yaml, then rerun this job."
exit 1
