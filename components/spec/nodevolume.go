package spec

// The nodes' root volume, as ManagedNodeGroup's launch template sets it:
// encrypted, with the account's AWS managed key for EBS (aws/ebs), whatever
// the account's EBS default encryption (an account-wide, per-region switch,
// off in a new account, that one stack should not own: its deletion would
// turn it off for every other stack). pulumi-eks v3.9.1 makes no encrypted
// volume for a managed node group (its createMNGCustomLaunchTemplate sets
// only volumeSize), so the node group gets this launch template instead.
const (
	// NodeRootDeviceName is the Amazon Linux 2023 EKS AMIs' root device
	// (pulumi-eks v3.9.1 nodejs/eks/nodes/nodegroup.ts: "/dev/xvda is the
	// default device name for the root volume on an Amazon Linux 2 & AL2023
	// instance").
	NodeRootDeviceName = "/dev/xvda"
	// NodeRootVolumeType is what internal/cost prices the root volumes as.
	NodeRootVolumeType = "gp3"
	// NodeMetadataHopLimit lets pods on the host network, and with the
	// workshop's add-on policies the controllers, reach IMDSv2 (eksctl's
	// and pulumi-eks's value).
	NodeMetadataHopLimit = 2
)
