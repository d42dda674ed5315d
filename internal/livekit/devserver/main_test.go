package devserver_test

import (
	"testing"

	"go.uber.org/goleak"
)

// The supervisor starts goroutines (process wait, output copying); none may
// outlive Run.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
