package devserver

import "syscall"

// sysProcAttr puts the server in its own process group, so a Ctrl-C in the
// terminal reaches only us and we stop it in order, and has the kernel kill
// it if we die without stopping it. (Pdeathsig follows the OS thread that
// started the child; Go only ends threads of goroutines that exit while
// locked to them, and should that ever kill the server, Run restarts it.)
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
