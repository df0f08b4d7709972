// Command enlace runs and administers an enlace intelligence exchange:
// the server (serve), its parties and credentials (nation, agency,
// taskforce, user, token), and its policy (policy show).
//
// It is the only place that parses configuration and wires the packages
// together.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRoot(os.Stdout, os.Stderr).ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "enlace:", err)
		os.Exit(1)
	}
}

// newRoot builds the command tree writing to stdout and stderr, so tests
// can run it in process.
func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "enlace",
		Short:         "An intelligence exchange in which every nation keeps sovereign, provable control over what leaves it",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(
		newServeCmd(),
		newMigrateCmd(),
		newNationCmd(),
		newAgencyCmd(),
		newTaskForceCmd(),
		newUserCmd(),
		newTokenCmd(),
		newPolicyCmd(),
		newListsCmd(),
		newScreenCmd(),
		newImportCmd(),
		newBenchCmd(),
		newLedgerCmd(),
		newAccountingCmd(),
	)
	return root
}
