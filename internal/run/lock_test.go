package run

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"winnow"
)

// TestLock: exclusive excludes everything, shared excludes exclusive
// only; the refusal names this process (the holder) from the lock file;
// an unlocked folder can be locked again.
func TestLock(t *testing.T) {
	dir := t.TempDir()
	ex, err := Lock(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, shared := range []bool{false, true} {
		_, err := Lock(dir, shared)
		var iu *InUseError
		if !errors.As(err, &iu) || iu.PID != os.Getpid() || iu.Started == "" {
			t.Fatalf("Lock(shared %v) under an exclusive lock: %v, want *InUseError naming pid %d", shared, err, os.Getpid())
		}
		want := fmt.Sprintf("%s is in use by another winnow (pid %d, started %s); wait for it or stop it", dir, os.Getpid(), iu.Started)
		if err.Error() != want {
			t.Errorf("message %q, want %q", err, want)
		}
	}
	if err := ex.Unlock(); err != nil {
		t.Fatal(err)
	}
	s1, err := Lock(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := Lock(dir, true)
	if err != nil {
		t.Fatalf("second shared lock: %v", err)
	}
	if _, err := Lock(dir, false); !errors.As(err, new(*InUseError)) {
		t.Fatalf("exclusive lock under shared ones: %v, want *InUseError", err)
	}
	s1.Unlock()
	if _, err := Lock(dir, false); !errors.As(err, new(*InUseError)) {
		t.Fatalf("exclusive lock under one shared lock: %v, want *InUseError", err)
	}
	s2.Unlock()
	ex, err = Lock(dir, false)
	if err != nil {
		t.Fatalf("lock after every holder let go: %v", err)
	}
	ex.Unlock()
	if _, err := Lock(filepath.Join(dir, "missing"), false); err == nil {
		t.Error("Lock of a missing folder succeeded")
	}
}

// TestLockSurvivesRunState: a run (new, --overwrite or resumed) clears
// .run but keeps the lock file, so a process that holds it still
// excludes the next one, and a lock-only .run is not output.
func TestLockSurvivesRunState(t *testing.T) {
	in := t.TempDir()
	inputs := []string{writeJSONL(t, in, "a", 40)}
	out := t.TempDir()
	l, err := Lock(out, false)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	opt := Options{Inputs: inputs, OutDir: out, Config: resumeConfig(), NewPipeline: pipelineOf(func() winnow.Stage { return spamStage{} })}
	if _, err := Run(context.Background(), opt); err != nil {
		t.Fatalf("run into a folder holding only .run/lock: %v", err)
	}
	opt.Overwrite = true
	if _, err := Run(context.Background(), opt); err != nil {
		t.Fatal(err)
	}
	if _, err := Lock(out, true); !errors.As(err, new(*InUseError)) {
		t.Fatalf("after an --overwrite run the held lock no longer excludes: %v", err)
	}
	owned, err := ownedOutput(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range owned {
		if strings.HasSuffix(p, filepath.Join(runDir, lockFile)) {
			t.Errorf("ownedOutput lists the lock file %s", p)
		}
	}
}
