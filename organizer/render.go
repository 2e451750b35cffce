package organizer

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/eks-workshop/eks-workshop/organizer/room"
	"github.com/eks-workshop/eks-workshop/synth"
)

// Render writes each participant stack's plan into dir/NAME, as synth
// writes a stack's (resources.yaml, kubernetes/*.yaml): the program up runs
// for them, under synth's mocks, so nothing is created and no engine runs.
// Participants' plans differ only in their names, so a pull request that
// changes the room shows its diff in every one alike.
func Render(plan *room.Plan, program ProgramFactory, dir string) ([]string, error) {
	var written []string
	for _, p := range plan.Participants {
		cfg, err := plan.ParticipantConfig(p.Name, plan.RenderOutputs())
		if err != nil {
			return written, err
		}
		res, err := synth.RunProgram(p.Name, nil, program(cfg))
		if err != nil {
			return written, fmt.Errorf("%s: %w", p.Name, err)
		}
		files, err := res.Files()
		if err != nil {
			return written, fmt.Errorf("%s: %w", p.Name, err)
		}
		out := filepath.Join(dir, p.Name)
		if err := files.Write(out); err != nil {
			return written, err
		}
		written = append(written, out)
	}
	return written, nil
}

// render is the render command: 0, or 1 when a plan cannot be written.
func render(cl *room.CommandLine, program ProgramFactory, stdout, stderr io.Writer) int {
	written, err := Render(cl.Plan, program, cl.RenderDir)
	for _, dir := range written {
		fmt.Fprintf(stdout, "%s\n", dir)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}
