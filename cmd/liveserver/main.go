// Command liveserver is the whole product in one binary: the HTTP server, the captioning
// assistant, migrations, and user administration, switched by subcommand. main only calls run,
// so tests run the real program.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "liveserver:", err)
		os.Exit(1)
	}
}

const usage = `LiveServer: a self-hosted virtual classroom.

Usage:
  liveserver serve                     run the server (configured by the environment, see .env.example)
  liveserver agent                     run the captioning assistant alone (needs LIVEKIT_URL and STT_PROVIDER)
  liveserver healthcheck [--agent]     exit 0 when this machine's server (or agent) answers /healthz
  liveserver migrate                   apply database migrations and exit
  liveserver user create --email E --name N --password-file F [--admin]
                                       make an account (F may be - for standard input)
  liveserver help                      show this text
`

// run is the program. Everything it touches comes in as an argument.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) < 2 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("missing command")
	}
	switch cmd, rest := args[1], args[2:]; cmd {
	case "serve":
		return serve(ctx, getenv, stderr)
	case "agent":
		return agentCommand(ctx, getenv, stderr)
	case "healthcheck":
		return healthcheck(ctx, rest, getenv)
	case "migrate":
		return migrate(ctx, getenv, stderr)
	case "user":
		return userCommand(ctx, rest, getenv, stdin, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}
