package fetch

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"
)

func TestClassify(t *testing.T) {
	lim := limits{timeout: 30 * time.Second, header: 10 * time.Second, connect: 5 * time.Second}
	dial := func(err error) error {
		return &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", err)}
	}
	read := func(err error) error {
		return &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", err)}
	}
	tests := []struct {
		err    error
		kind   Kind
		reason string
	}{
		{&net.DNSError{Err: "no such host", Name: "x.invalid", IsNotFound: true}, KindDNS, "DNS: no such host"},
		{&net.DNSError{Err: "i/o timeout", Name: "x", IsTimeout: true}, KindDNS, "DNS: timeout"},
		{&net.DNSError{Err: "server misbehaving", Name: "x"}, KindDNS, "DNS: server misbehaving"},
		{&net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", IsNotFound: true}}, KindDNS, "DNS: no such host"},
		{dial(syscall.ECONNREFUSED), KindConnect, "connection refused"},
		{dial(syscall.EHOSTUNREACH), KindConnect, "host unreachable"},
		{dial(syscall.ENETUNREACH), KindConnect, "network unreachable"},
		{&net.OpError{Op: "dial", Err: timeoutErr{}}, KindTimeout, "connect timeout after 5s"},
		{fmt.Errorf("wrapped: %w", dial(errBlocked)), KindBlocked, "private address refused"},
		{read(syscall.ECONNRESET), KindConnect, "connection reset"},
		{io.ErrUnexpectedEOF, KindConnect, "connection closed early"},
		{x509.UnknownAuthorityError{}, KindTLS, "TLS: " + x509.UnknownAuthorityError{}.Error()},
		{timeoutErr{}, KindTimeout, "timeout after 30s"},
		{errors.New("something odd"), KindOther, "something odd"},
	}
	ctx := context.Background()
	for _, tt := range tests {
		e := classify("https://example.com/feed", tt.err, ctx, ctx, lim)
		if e.Kind != tt.kind || e.Reason() != tt.reason {
			t.Errorf("classify(%v) = %s %q, want %s %q", tt.err, e.Kind, e.Reason(), tt.kind, tt.reason)
		}
		if !errors.Is(e, tt.err) {
			t.Errorf("classify(%v) does not wrap it", tt.err)
		}
	}
}

func TestClassifyContext(t *testing.T) {
	lim := limits{timeout: 30 * time.Second, header: 10 * time.Second}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	hop, cancelHop := context.WithCancelCause(context.Background())
	cancelHop(errHeaderTimeout)
	whole, cancelWhole := context.WithCancelCause(context.Background())
	cancelWhole(errTimeout)
	background := context.Background()

	tests := []struct {
		parent, hop context.Context
		kind        Kind
		reason      string
	}{
		{canceled, canceled, KindCanceled, "canceled"},
		{background, hop, KindTimeout, "no response headers after 10s"},
		{background, whole, KindTimeout, "timeout after 30s"},
	}
	for _, tt := range tests {
		e := classify("https://example.com/", context.Canceled, tt.parent, tt.hop, lim)
		if e.Kind != tt.kind || e.Reason() != tt.reason {
			t.Errorf("got %s %q, want %s %q", e.Kind, e.Reason(), tt.kind, tt.reason)
		}
	}
}

func TestErrorString(t *testing.T) {
	e := &Error{Kind: KindTimeout, URL: "https://x/feed", reason: "timeout after 10s"}
	if got := e.Error(); got != "fetch https://x/feed: timeout after 10s" {
		t.Errorf("Error() = %q", got)
	}
	e = &Error{Kind: KindOther, URL: "https://x/", Err: errors.New("boom")}
	if e.Reason() != "boom" {
		t.Errorf("Reason() = %q, want the wrapped error", e.Reason())
	}
	for n, want := range map[int64]string{8 << 20: "8MiB", 512 << 10: "512KiB", 1000: "1000B", 1<<20 + 1: "1048577B"} {
		if got := size(n); got != want {
			t.Errorf("size(%d) = %q, want %q", n, got, want)
		}
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }
