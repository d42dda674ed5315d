package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/liveserver/liveserver/internal/classroom"
	"github.com/liveserver/liveserver/internal/domain"
)

func userCommand(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("usage: liveserver user create --email E --name N --password-file F [--admin]")
	}
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	email := fs.String("email", "", "e-mail address (the login)")
	name := fs.String("name", "", "display name")
	pwFile := fs.String("password-file", "", "file holding the password, or - for standard input")
	admin := fs.Bool("admin", false, "make an administrator of the whole instance")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *email == "" || *name == "" || *pwFile == "" {
		return errors.New("--email, --name and --password-file are required")
	}
	password, err := readPassword(*pwFile, stdin)
	if err != nil {
		return err
	}
	a, err := newApp(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	role := domain.RoleHost
	if *admin {
		role = domain.RoleAdmin
	}
	svc, err := a.classroom(classroom.Deps{})
	if err != nil {
		return err
	}
	u, err := svc.CreateUser(ctx, *email, *name, password, role, false)
	if code := domain.ErrorCode(err); code != "" && code != domain.EInternal {
		return errors.New(domain.ErrorMessage(err))
	} else if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s %s (%s)\n", strings.ToLower(string(u.Role)), u.Email, u.ID)
	return nil
}

// readPassword reads the first line of the file; the password never appears in argv, where
// other users of the machine could read it.
func readPassword(name string, stdin io.Reader) (string, error) {
	var b []byte
	var err error
	if name == "-" {
		b, err = io.ReadAll(io.LimitReader(stdin, 4096))
	} else {
		b, err = os.ReadFile(name)
	}
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	pw, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimRight(pw, "\r"), nil
}
