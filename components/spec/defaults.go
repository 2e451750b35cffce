package spec

// The components' defaults, named once (after eksctl's pkg/apis/.../defaults.go):
// each Args' WithDefaults applies them to fields left zero, its doc comment
// names them, and stacks/config builds its DefaultConfig from them.
const (
	// DefaultVpcCidr is the workshop's VPC CIDR.
	DefaultVpcCidr = "10.0.0.0/16"
	// DefaultAvailabilityZoneCount is how many zones a Network uses when none are listed.
	DefaultAvailabilityZoneCount = 3
	// DefaultNatGateway puts a NAT gateway in every zone (eksctl's HighlyAvailable).
	DefaultNatGateway = NatHighlyAvailable

	// DefaultLogRetentionDays is the control-plane log group's retention.
	DefaultLogRetentionDays = 90
	// DefaultEndpointPublicAccess opens the API endpoint to the internet, as EKS does.
	DefaultEndpointPublicAccess = true
	// DefaultSecretsKeyDeletionWindowDays is KMS's longest wait before it
	// deletes a key whose deletion was scheduled: the longest chance to undo
	// a mistaken destroy (a key deleted leaves the secrets it encrypted
	// unreadable). A deliberate teardown sets fewer.
	DefaultSecretsKeyDeletionWindowDays = MaxKMSDeletionWindowDays
	// MinKMSDeletionWindowDays and MaxKMSDeletionWindowDays bound a KMS
	// key's deletion window (KMS ScheduleKeyDeletion's PendingWindowInDays).
	MinKMSDeletionWindowDays = 7
	MaxKMSDeletionWindowDays = 30
	// DefaultPublicAccessCidr is who may reach a public endpoint when no CIDRs are listed: anyone, as EKS does.
	DefaultPublicAccessCidr = "0.0.0.0/0"

	// DefaultInstanceType is the workshop's node instance type.
	DefaultInstanceType = "m5.large"
	// DefaultDesiredSize is the node count (eksctl's); min and max default to it.
	DefaultDesiredSize = 3
	// DefaultDiskSize is each node's root volume in GiB, the least Amazon Linux 2023 boots from.
	DefaultDiskSize = MinDiskSize

	// DefaultUntaggedExpiryDays expires untagged images this long after push.
	DefaultUntaggedExpiryDays = 14
	// DefaultKeepTaggedImages is how many tagged images a repository keeps.
	DefaultKeepTaggedImages = 30

	// DefaultDockerfile is the Dockerfile's name in the build context.
	DefaultDockerfile = "Dockerfile"
	// DefaultPlatform is the image platform: the m5 nodes' architecture.
	DefaultPlatform = "linux/amd64"

	// App defaults.
	DefaultCPURequest    = "100m"
	DefaultMemoryRequest = "128Mi"
	DefaultMemoryLimit   = "256Mi"
	// DefaultEphemeralStorageRequest covers the container's logs and /tmp.
	DefaultEphemeralStorageRequest = "128Mi"
	// DefaultEphemeralStorageLimit holds the kubelet's rotated logs (5 files
	// of 10Mi by default) with room to spare.
	DefaultEphemeralStorageLimit = "512Mi"
	DefaultLivenessPath          = "/healthz"
	DefaultReadinessPath         = "/readyz"
	DefaultReplicas              = 2
	DefaultMinReplicas           = 1
	DefaultMaxReplicas           = 10
	DefaultTargetCPUUtilization  = 50
	DefaultIngressPath           = "/"
	DefaultRunAsUser             = 10001
	DefaultWritablePath          = "/tmp"
	// DefaultPreStopSleepSeconds covers, with room to spare, the seconds
	// between a pod's deletion and the last new request sent to it: the
	// endpoints update, the AWS Load Balancer Controller's deregistration
	// of the target, the ALB's propagation of it. Not measured here (no AWS).
	DefaultPreStopSleepSeconds = 15
	// DefaultShutdownSeconds is the app's own drain after SIGTERM.
	DefaultShutdownSeconds = 10
)

// Limits the AWS APIs enforce, checked before anything is registered.
const (
	MinAvailabilityZones = 2 // EKS needs subnets in at least two zones
	MaxAvailabilityZones = 6
	MinDiskSize          = 20    // GiB; Amazon Linux 2023's root volume
	MaxDiskSize          = 16384 // GiB; EBS gp3's largest volume
	MaxNodesPerGroup     = 450   // EKS's quota for nodes in one managed node group
	maxTaintsPerGroup    = 50    // EKS's limit on a managed node group's taints
)
