package room

import "strings"

// CommandRender writes a participant stack's plan as files.
const CommandRender = "render"

// RenderedImage stands for an image the cluster stack builds: render runs
// before (and without) the cluster stack, whose outputs name the real ones.
func RenderedImage(name string) string {
	return "registry.invalid/" + name + "@sha256:" + strings.Repeat("0", 64)
}

// RenderOutputs are the cluster outputs a rendered participant stack is
// given: the existing cluster's images (its kubeconfig stays out of the
// files), or stand-ins for those the cluster stack builds.
func (p *Plan) RenderOutputs() ClusterOutputs {
	out := ClusterOutputs{Kubeconfig: "ROOM_KUBECONFIG", FlaskImage: RenderedImage("demo-flask-backend"), NginxImage: RenderedImage("demo-nginx")}
	if p.Existing != nil {
		out.FlaskImage, out.NginxImage = p.Existing.FlaskImage, p.Existing.NginxImage
	}
	return out
}
