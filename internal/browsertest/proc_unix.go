//go:build unix

package browsertest

import (
	"os/exec"
	"syscall"
)

// setProcessGroup puts chromedriver in a process group of its own, so that
// the Chromium processes it starts can be ended with it.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

func killProcessGroup(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}
