// Command mutation is the test command's mutation tier (tools/test.sh): it
// runs `gremlins unleash --config .gremlins.yaml ./<pkg>` on each package
// named, from the repository's root, unless a passing result of the same
// inputs is kept (docs/mutation.md). A package whose code, tests, test data,
// linked modules, gremlins version and go environment are all unchanged
// replays its committed result in testdata/mutation, else the local cache's
// in $EKS_WORKSHOP_MUTATION_CACHE (default eks-workshop/mutation in the
// user's cache directory; "off" keeps none); any other is mutated.
//
//	go run ./cmd/mutation components/spec stacks/config synth organizer/room internal/mutation
//	go run ./cmd/mutation -update PACKAGE...   # also commits each passing result not committed yet
//	go run ./cmd/mutation -docs                # docs/mutation.md's table from testdata/mutation
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/eks-workshop/eks-workshop/internal/mutation"
	"github.com/eks-workshop/eks-workshop/internal/tools"
)

// envCache names the cache directory, or "off".
const envCache = "EKS_WORKSHOP_MUTATION_CACHE"

// docsFile is the page whose table -docs writes, relative to the root.
const docsFile = "docs/mutation.md"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "mutation:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	flags := flag.NewFlagSet("mutation", flag.ContinueOnError)
	flags.SetOutput(stderr)
	update := flags.Bool("update", false, "write each package's passing result into "+mutation.ResultsDir+" unless it is there already")
	docs := flags.Bool("docs", false, "write "+docsFile+"'s table from "+mutation.ResultsDir+" and nothing else")
	if err := flags.Parse(args); err != nil {
		return err
	}
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	pkgs := flags.Args()
	switch {
	case *docs && (len(pkgs) > 0 || *update):
		return errors.New("-docs takes no package and no -update")
	case *docs:
		return writeDocs(root)
	case len(pkgs) == 0:
		return errors.New("usage: go run ./cmd/mutation [-update] PACKAGE... | -docs (from the repository's root)")
	}
	runner, err := newRunner(root)
	if err != nil {
		return err
	}
	runner.Update = *update
	return runner.Run(ctx, pkgs)
}

func newRunner(root string) (mutation.Runner, error) {
	gremlins, err := tools.Path("gremlins")
	if err != nil {
		return mutation.Runner{}, err
	}
	files, err := repoFiles(root)
	if err != nil {
		return mutation.Runner{}, err
	}
	used, err := goEnv()
	if err != nil {
		return mutation.Runner{}, err
	}
	used["gremlins"] = tools.Versions()["gremlins"]
	return mutation.Runner{
		Root:          root,
		Gremlins:      []string{gremlins, "unleash", "--config", ".gremlins.yaml"},
		Tools:         used,
		Files:         files,
		Deps:          func(pkg string) (mutation.Deps, error) { return deps(root, pkg) },
		Cache:         cache(),
		UpdateCommand: "go run ./cmd/mutation -update",
		Out:           os.Stdout,
		Now:           time.Now,
	}, nil
}

// renderDocs returns the docs page under root with its table rendered from
// the committed results.
func renderDocs(root string) (string, error) {
	doc, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(docsFile)))
	if err != nil {
		return "", err
	}
	results, err := mutation.Store{Dir: filepath.Join(root, filepath.FromSlash(mutation.ResultsDir))}.LoadAll()
	if err != nil {
		return "", err
	}
	page, err := mutation.ReplaceTable(string(doc), mutation.Table(results))
	if err != nil {
		return "", fmt.Errorf("%s: %w", docsFile, err)
	}
	return page, nil
}

func writeDocs(root string) error {
	page, err := renderDocs(root)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(root, filepath.FromSlash(docsFile)), []byte(page), 0o644)
}

func cache() *mutation.Store {
	dir := os.Getenv(envCache)
	if dir == "off" {
		return nil
	}
	if dir == "" {
		dir = filepath.Join(filepath.Dir(tools.Dir()), "mutation")
	}
	return &mutation.Store{Dir: dir}
}

// repoFiles lists the files git tracks or would track (not ignored), in
// any order: mutation.Inputs sorts what it takes.
func repoFiles(root string) ([]string, error) {
	out, err := output(root, "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	if err != nil {
		return nil, err
	}
	return strings.FieldsFunc(out, func(r rune) bool { return r == 0 }), nil
}

// goEnvVars are what of the go command's environment changes a build or a test.
var goEnvVars = []string{"GOVERSION", "GOOS", "GOARCH", "GOAMD64", "GOFLAGS", "GOEXPERIMENT", "CGO_ENABLED"}

// goEnv returns each of goEnvVars by name.
func goEnv() (map[string]string, error) {
	out, err := output("", "go", append([]string{"env"}, goEnvVars...)...)
	if err != nil {
		return nil, err
	}
	values := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(values) != len(goEnvVars) {
		return nil, fmt.Errorf("go env printed %q for %q", out, goEnvVars)
	}
	env := map[string]string{}
	for i, name := range goEnvVars {
		env[name] = values[i]
	}
	env["GOFLAGS"] = testFlags(env["GOFLAGS"])
	return env, nil
}

// testFlags drops from GOFLAGS what cannot change a test's result, so a
// machine that sets it (this one's go env file has -buildvcs=false) and one
// that does not share their keys: -buildvcs stamps only binaries that go
// build and go install make, never a test binary.
func testFlags(goflags string) string {
	var kept []string
	for _, f := range strings.Fields(goflags) {
		if !strings.HasPrefix(f, "-buildvcs") {
			kept = append(kept, f)
		}
	}
	return strings.Join(kept, " ")
}

// depsTemplate prints a line per package a test binary links: this
// module's as "dir <directory> go<version>", another's as "mod
// <path>@<version>", with its replacement if any.
const depsTemplate = `{{with .Module}}{{if .Main}}dir {{$.Dir}} go{{.GoVersion}}{{else}}mod {{.Path}}@{{.Version}}` +
	`{{with .Replace}} => {{.Path}}@{{.Version}}{{end}}{{end}}{{end}}`

// deps is what pkg's test binary links, as go list reports it.
func deps(root, pkg string) (mutation.Deps, error) {
	out, err := output(root, "go", "list", "-deps", "-test", "-f", depsTemplate, "./"+pkg)
	if err != nil {
		return mutation.Deps{}, err
	}
	var d mutation.Deps
	for _, line := range strings.Split(out, "\n") {
		kind, rest, _ := strings.Cut(line, " ")
		switch kind {
		case "dir":
			i := strings.LastIndex(rest, " ")
			rel, err := filepath.Rel(root, rest[:i])
			if err != nil {
				return mutation.Deps{}, err
			}
			d.Dirs = append(d.Dirs, filepath.ToSlash(rel))
			d.Modules = append(d.Modules, rest[i+1:])
		case "mod":
			d.Modules = append(d.Modules, rest)
		}
	}
	slices.Sort(d.Dirs)
	slices.Sort(d.Modules)
	return mutation.Deps{Dirs: slices.Compact(d.Dirs), Modules: slices.Compact(d.Modules)}, nil
}

func output(dir, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}
