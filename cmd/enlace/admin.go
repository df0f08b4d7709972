package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/exchange"
	"github.com/spf13/cobra"
)

// withExchange runs fn with an exchange over the data directory.
func withExchange(cmd *cobra.Command, f *dataFlags, fn func(x *exchange.Exchange) error) error {
	x, st, err := f.open(cmd.Context(), quietLogger())
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(x)
}

func printJSON(cmd *cobra.Command, v any) error {
	enc := json.NewEncoder(cmd.OutOrStdout())
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func newMigrateCmd() *cobra.Command {
	var f dataFlags
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Create or upgrade the database (SQLite in the data directory, or PostgreSQL at --store)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withExchange(cmd, &f, func(*exchange.Exchange) error {
				fmt.Fprintln(cmd.OutOrStdout(), "database is up to date:", f.where())
				return nil
			})
		},
	}
	f.register(cmd)
	return cmd
}

func newNationCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "nation", Short: "Manage nations"}
	var f dataFlags
	var n enlace.Nation
	create := &cobra.Command{
		Use:   "create",
		Short: "Add a nation",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withExchange(cmd, &f, func(x *exchange.Exchange) error {
				out, err := x.CreateNation(cmd.Context(), n)
				if err != nil {
					return err
				}
				return printJSON(cmd, out)
			})
		},
	}
	f.register(create)
	create.Flags().StringVar(&n.Code, "code", "", "ISO 3166-1 alpha-2 code, such as CO")
	create.Flags().StringVar(&n.Name, "name", "", "name, such as Colombia")
	cmd.AddCommand(create)
	return cmd
}

func newAgencyCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "agency", Short: "Manage agencies"}
	var f dataFlags
	var a enlace.Agency
	create := &cobra.Command{
		Use:   "create",
		Short: "Add an agency to a nation",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withExchange(cmd, &f, func(x *exchange.Exchange) error {
				out, err := x.CreateAgency(cmd.Context(), a)
				if err != nil {
					return err
				}
				return printJSON(cmd, out)
			})
		},
	}
	f.register(create)
	create.Flags().StringVar(&a.ID, "id", "", "short id, such as DIPOL")
	create.Flags().StringVar(&a.Nation, "nation", "", "nation code")
	create.Flags().StringVar(&a.Name, "name", "", "full name")
	cmd.AddCommand(create)
	return cmd
}

func newTaskForceCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "taskforce", Short: "Manage task forces"}
	var f dataFlags
	var t enlace.TaskForce
	var members string
	create := &cobra.Command{
		Use:   "create",
		Short: "Add a task force of existing agencies",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			t.Members = splitList(members)
			return withExchange(cmd, &f, func(x *exchange.Exchange) error {
				out, err := x.CreateTaskForce(cmd.Context(), t)
				if err != nil {
					return err
				}
				return printJSON(cmd, out)
			})
		},
	}
	f.register(create)
	create.Flags().StringVar(&t.ID, "id", "", "short id, such as JIATF-South")
	create.Flags().StringVar(&t.Name, "name", "", "full name")
	create.Flags().StringVar(&members, "members", "", "comma-separated agency ids")
	cmd.AddCommand(create)
	return cmd
}

func newUserCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage users"}
	var f dataFlags
	var u enlace.User
	var roles string
	create := &cobra.Command{
		Use:   "create",
		Short: "Add a user to an agency",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, r := range splitList(roles) {
				u.Roles = append(u.Roles, enlace.Role(r))
			}
			return withExchange(cmd, &f, func(x *exchange.Exchange) error {
				out, err := x.CreateUser(cmd.Context(), u)
				if err != nil {
					return err
				}
				return printJSON(cmd, out)
			})
		},
	}
	f.register(create)
	create.Flags().StringVar(&u.Username, "username", "", "user name")
	create.Flags().StringVar(&u.Agency, "agency", "", "agency id")
	create.Flags().StringVar(&roles, "roles", "analyst", "comma-separated roles: analyst, liaison, agency-admin, authority, auditor")
	cmd.AddCommand(create)
	return cmd
}

func newTokenCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Manage API tokens"}
	var cf, rf dataFlags
	var username, name string
	create := &cobra.Command{
		Use:   "create",
		Short: "Create a token for a user; the secret is printed once and never stored",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withExchange(cmd, &cf, func(x *exchange.Exchange) error {
				t, secret, err := x.IssueToken(cmd.Context(), username, name)
				if err != nil {
					return err
				}
				return printJSON(cmd, map[string]any{"id": t.ID, "user": username, "name": t.Name, "token": secret})
			})
		},
	}
	cf.register(create)
	create.Flags().StringVar(&username, "user", "", "user name")
	create.Flags().StringVar(&name, "name", "default", "a label for the token")
	var id int64
	revoke := &cobra.Command{
		Use:   "revoke",
		Short: "Revoke a token by id",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withExchange(cmd, &rf, func(x *exchange.Exchange) error {
				if err := x.RevokeToken(cmd.Context(), id); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "token %d revoked\n", id)
				return nil
			})
		},
	}
	rf.register(revoke)
	revoke.Flags().Int64Var(&id, "id", 0, "token id")
	cmd.AddCommand(create, revoke)
	return cmd
}

func newPolicyCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "policy", Short: "Inspect the sharing policy"}
	var f dataFlags
	show := &cobra.Command{
		Use:   "show",
		Short: "Print the Cedar policy set in force, built from agreements, markings and directives",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withExchange(cmd, &f, func(x *exchange.Exchange) error {
				text, err := x.PolicyText(cmd.Context())
				if err != nil {
					return err
				}
				fmt.Fprint(cmd.OutOrStdout(), text)
				return nil
			})
		},
	}
	f.register(show)
	cmd.AddCommand(show)
	return cmd
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
