// Package cli is how the project's commands (synth, localcluster, docs)
// report a command-line mistake: the reason first, then a short usage,
// and exit status 2; -h prints the usage with every flag and exits 0.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// UsageError is a mistake in how the command was invoked.
type UsageError struct{ Err error }

func (e UsageError) Error() string { return e.Err.Error() }
func (e UsageError) Unwrap() error { return e.Err }

// Usagef returns a UsageError with the formatted reason.
func Usagef(format string, args ...any) error {
	return UsageError{fmt.Errorf(format, args...)}
}

// Parse parses args into flags without the flag package's own printing (it
// would print the reason after every flag's description): a mistake comes
// back as a UsageError, -h and -help as flag.ErrHelp.
func Parse(flags *flag.FlagSet, args []string) error {
	flags.SetOutput(io.Discard)
	flags.Usage = func() {}
	err := flags.Parse(args)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return err
	}
	return UsageError{err}
}

// Exit is the exit status of a command that ended with err, which it
// prints: nothing and 0 for nil; usage and every flag on stdout and 0 for
// flag.ErrHelp; "name: reason" and usage on stderr and 2 for a
// UsageError; "name: error" and 1 for anything else.
func Exit(name, usage string, flags *flag.FlagSet, err error, stdout, stderr io.Writer) int {
	var mistake UsageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintln(stdout, usage)
		if flags != nil {
			flags.SetOutput(stdout)
			flags.PrintDefaults()
		}
		return 0
	case errors.As(err, &mistake):
		fmt.Fprintf(stderr, "%s: %v\n%s\n", name, err, usage)
		return 2
	default:
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}
}
