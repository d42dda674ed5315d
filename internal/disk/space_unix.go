//go:build unix

package disk

import "syscall"

// statfs is the free space an unprivileged writer may use (blocks reserved for root left out)
// and the size of the file system holding dir.
func statfs(dir string) (free, total int64, err error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, 0, err
	}
	return int64(st.Bavail) * int64(st.Bsize), int64(st.Blocks) * int64(st.Bsize), nil
}
