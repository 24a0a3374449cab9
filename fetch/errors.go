package fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"
	"time"
)

// Kind sorts failures into the few classes that callers act on: the
// scheduler backs off differently after "gone" than after "timeout", and
// `herald stats` counts feeds by kind.
type Kind string

// The kinds of Error.
const (
	KindDNS      Kind = "dns"
	KindConnect  Kind = "connect"
	KindTLS      Kind = "tls"
	KindTimeout  Kind = "timeout"
	KindHTTP4xx  Kind = "http-4xx"
	KindHTTP5xx  Kind = "http-5xx"
	KindGone     Kind = "gone"
	KindTooLarge Kind = "too-large"
	KindRedirect Kind = "redirect"
	KindScheme   Kind = "scheme"
	KindBlocked  Kind = "blocked"
	KindCanceled Kind = "canceled"
	KindOther    Kind = "other"
)

// Error is the only error type Get returns.
type Error struct {
	Kind Kind
	URL  string // the URL of the hop that failed, its password masked
	// Status is the HTTP status code for the http-4xx, http-5xx and gone
	// kinds, 0 otherwise.
	Status int
	// RetryAfter is when the server asked to be asked again (429 and 503
	// with Retry-After), in the clock of Options.Now; zero if it did not.
	RetryAfter time.Time
	Err        error // the underlying error, if any
	reason     string
}

func (e *Error) Error() string { return "fetch " + e.URL + ": " + e.Reason() }

func (e *Error) Unwrap() error { return e.Err }

// Reason says what went wrong in a few words, without the URL, for status
// pages and `herald stats`.
func (e *Error) Reason() string {
	if e.reason != "" {
		return e.reason
	}
	if e.Err != nil {
		return e.Err.Error()
	}
	return string(e.Kind)
}

// Sentinel causes, so that a canceled context tells which limit ended it.
var (
	errTimeout       = errors.New("fetch: request timeout")
	errHeaderTimeout = errors.New("fetch: response header timeout")
	errBlocked       = errors.New("fetch: private address refused")
)

// statusError turns a response status that is not a success into an Error.
func statusError(u string, code int, retryAfter time.Time) *Error {
	e := &Error{URL: u, Status: code, RetryAfter: retryAfter, reason: statusReason(code)}
	switch {
	case code == http.StatusGone:
		e.Kind, e.reason = KindGone, "gone (HTTP 410)"
	case code >= 500:
		e.Kind = KindHTTP5xx
	case code >= 400:
		e.Kind = KindHTTP4xx
	default:
		e.Kind = KindOther
	}
	return e
}

func statusReason(code int) string {
	if text := http.StatusText(code); text != "" {
		return fmt.Sprintf("HTTP %d %s", code, text)
	}
	return fmt.Sprintf("HTTP %d", code)
}

// limits are the durations a failed hop ran under, named in the reason.
type limits struct {
	timeout, header, connect time.Duration
}

// classify turns a transport or body error into an Error. parent is the
// caller's context and hop the one the hop ran under, whose cause tells
// which of our own limits (if any) ended it.
func classify(u string, err error, parent, hop context.Context, lim limits) *Error {
	e := &Error{URL: u, Err: err}
	set := func(k Kind, reason string) *Error { e.Kind, e.reason = k, reason; return e }

	if errors.Is(err, errBlocked) {
		return set(KindBlocked, "private address refused")
	}
	if perr := parent.Err(); perr != nil {
		if errors.Is(perr, context.DeadlineExceeded) {
			return set(KindTimeout, "deadline exceeded")
		}
		return set(KindCanceled, "canceled")
	}
	if hop.Err() != nil {
		switch context.Cause(hop) {
		case errHeaderTimeout:
			return set(KindTimeout, "no response headers after "+lim.header.String())
		case errTimeout:
			return set(KindTimeout, "timeout after "+lim.timeout.String())
		}
	}

	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		switch {
		case dnsErr.IsNotFound:
			return set(KindDNS, "DNS: no such host")
		case dnsErr.IsTimeout:
			return set(KindDNS, "DNS: timeout")
		}
		return set(KindDNS, "DNS: "+dnsErr.Err)
	}
	if isTLS(err) {
		return set(KindTLS, "TLS: "+err.Error())
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		if opErr.Timeout() {
			return set(KindTimeout, "connect timeout after "+lim.connect.String())
		}
		return set(KindConnect, connectReason(err))
	}
	if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return set(KindConnect, "connection reset")
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return set(KindConnect, "connection closed early")
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return set(KindTimeout, "timeout after "+lim.timeout.String())
	}
	return set(KindOther, err.Error())
}

func connectReason(err error) string {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.EHOSTUNREACH):
		return "host unreachable"
	case errors.Is(err, syscall.ENETUNREACH):
		return "network unreachable"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	}
	return "connect: " + err.Error()
}

func isTLS(err error) bool {
	var (
		rec     tls.RecordHeaderError
		alert   tls.AlertError
		verify  *tls.CertificateVerificationError
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
		invalid x509.CertificateInvalidError
	)
	return errors.As(err, &rec) || errors.As(err, &alert) || errors.As(err, &verify) ||
		errors.As(err, &unknown) || errors.As(err, &host) || errors.As(err, &invalid)
}
