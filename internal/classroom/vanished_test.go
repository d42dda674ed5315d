package classroom

import (
	"slices"
	"testing"
	"time"
)

func TestAbsencesEndOnlyRoomsMissingLongEnough(t *testing.T) {
	var a absences
	t0 := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	after := 30 * time.Minute
	exists := map[string]bool{"here": true}

	if due := a.overdue([]string{"here", "gone", "back"}, exists, t0, after); len(due) != 0 {
		t.Fatalf("first look: %v overdue, want none (absence only starts counting)", due)
	}
	// "back" reappears, so its absence restarts; "ended" stopped being live and is forgotten.
	exists["back"] = true
	a.overdue([]string{"here", "gone", "back"}, exists, t0.Add(10*time.Minute), after)
	delete(exists, "back")
	if due := a.overdue([]string{"here", "gone", "back"}, exists, t0.Add(after-time.Second), after); len(due) != 0 {
		t.Fatalf("just before the limit: %v overdue", due)
	}
	due := a.overdue([]string{"here", "gone", "back"}, exists, t0.Add(after), after)
	if !slices.Equal(due, []string{"gone"}) {
		t.Fatalf("at the limit: %v overdue, want [gone] (back was seen again at +10 min)", due)
	}
	a.forget("gone")
	if due := a.overdue([]string{"back"}, exists, t0.Add(2*after), after); !slices.Equal(due, []string{"back"}) {
		t.Fatalf("later: %v overdue, want [back]", due)
	}
	if _, kept := a.since["gone"]; kept {
		t.Fatal("a room no longer live is still remembered")
	}
}
