// Command eks-workshop is the Pulumi program for the EKS web-application
// workshop; the stacks package holds everything it deploys.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/stacks"
)

func main() { pulumi.Run(stacks.Run) }
