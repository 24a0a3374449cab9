package fetch

import (
	"context"
	"errors"
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// TestConnectTimeout connects to a loopback listener whose accept queue is
// full: the kernel then drops the SYNs and the connect hangs, as it does to
// a host that is down.
func TestConnectTimeout(t *testing.T) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Skip("no raw socket:", err)
	}
	defer syscall.Close(fd)
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(sa.(*syscall.SockaddrInet4).Port)

	// Fill the queue, never accepting, until a connect hangs.
	full := false
	for range 16 {
		conn, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			full = true
			break
		}
		if err != nil {
			t.Skip("cannot fill the accept queue:", err)
		}
		defer conn.Close()
	}
	if !full {
		t.Skip("the accept queue never filled; connect cannot be made to hang here")
	}

	c := newClient(t, Options{ConnectTimeout: 200 * time.Millisecond, Timeout: 10 * time.Second})
	_, err = c.Get(context.Background(), Request{URL: "http://" + addr + "/feed"})
	wantReason(t, wantKind(t, err, KindTimeout), "connect timeout after 200ms")
}
