package pacing

import (
	"context"
	"errors"
	"testing"
	"time"
)

// fake is a clock the test moves by hand; waiting moves it too.
type fake struct {
	t      time.Time
	waited []time.Duration
}

func newFake(share float64, maxWait time.Duration) (*Pacer, *fake) {
	p := New(share, maxWait)
	f := &fake{t: time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)}
	p.now = func() time.Time { return f.t }
	p.wait = func(_ context.Context, d time.Duration) error {
		f.waited = append(f.waited, d)
		f.t = f.t.Add(d)
		return nil
	}
	return p, f
}

// bulk runs one bulk operation that takes d.
func bulk(t *testing.T, p *Pacer, f *fake, d time.Duration) {
	t.Helper()
	done, err := p.Bulk(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	f.t = f.t.Add(d)
	done()
}

func TestBulkWaits(t *testing.T) {
	cases := []struct {
		name    string
		share   float64
		took    time.Duration // the first bulk operation
		smallIn int           // small operations in flight at the second
		want    time.Duration // the second one's wait
	}{
		{name: "alone: no wait", share: 0.2, took: 80 * time.Millisecond},
		{name: "one small order at a time is a quiet server", share: 0.2, took: 80 * time.Millisecond, smallIn: 1},
		{name: "busy: rest four times the run", share: 0.2, took: 80 * time.Millisecond, smallIn: 2, want: 320 * time.Millisecond},
		{name: "half share: rest as long as the run", share: 0.5, took: 80 * time.Millisecond, smallIn: 8, want: 80 * time.Millisecond},
		{name: "a long run: the wait is capped", share: 0.2, took: 3 * time.Second, smallIn: 2, want: time.Second},
		{name: "share 1: never waits", share: 1, took: time.Second, smallIn: 8},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, f := newFake(c.share, time.Second)
			bulk(t, p, f, c.took)
			for range c.smallIn {
				t.Cleanup(p.Small())
			}
			bulk(t, p, f, time.Millisecond)
			var got time.Duration
			for _, w := range f.waited {
				got += w
			}
			if got != c.want {
				t.Errorf("second bulk operation waited %v, want %v", got, c.want)
			}
		})
	}
}

func TestOneBulkAtATime(t *testing.T) {
	p := New(0.5, time.Second)
	done, err := p.Bulk(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := p.Bulk(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a second bulk operation ran beside the first: err %v", err)
	}
	done()
	next, err := p.Bulk(context.Background())
	if err != nil {
		t.Fatalf("after the first ended: %v", err)
	}
	next()
}

func TestCancelledWaitFreesTheSlot(t *testing.T) {
	p := New(0.01, time.Hour)
	t.Cleanup(p.Small())
	t.Cleanup(p.Small())
	done, err := p.Bulk(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	done() // the next one must now rest ~0.5 s
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := p.Bulk(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("waiting bulk operation: err %v, want the deadline", err)
	}
	select {
	case p.slot <- struct{}{}:
		<-p.slot
	default:
		t.Fatal("a cancelled wait kept the slot")
	}
}
