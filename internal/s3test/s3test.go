// Package s3test serves an S3-compatible API on loopback, in the test's
// process (github.com/johannesboyne/gofakes3, in memory), so that the
// organizer's tests run on an s3:// state backend as a team's would: the
// Pulumi CLI stores the stacks in it and the organizer its room lease.
package s3test

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// Bucket is the bucket Start creates.
const Bucket = "workshop-state"

// Env is what the CLI and the organizer's own S3 client need to reach the
// server: credentials (the server does not check them, the SDK wants some),
// a region, and no instance-metadata lookup.
var Env = map[string]string{
	"AWS_ACCESS_KEY_ID":         "test",
	"AWS_SECRET_ACCESS_KEY":     "test",
	"AWS_REGION":                "us-east-1",
	"AWS_EC2_METADATA_DISABLED": "true",
}

// Server is a running S3-compatible server holding Bucket.
type Server struct {
	// Endpoint is http://127.0.0.1:PORT.
	Endpoint string
	backend  *s3mem.Backend
}

// Start serves an empty Bucket on loopback until the test ends and sets Env
// in the test's environment, which the pulumi commands inherit.
func Start(tb testing.TB) *Server {
	tb.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(Bucket); err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	tb.Cleanup(srv.Close)
	for k, v := range Env {
		tb.Setenv(k, v)
	}
	return &Server{Endpoint: srv.URL, backend: backend}
}

// BackendURL is the s3:// state backend URL of prefix in Bucket, as
// PULUMI_BACKEND_URL takes it: path-style requests to the server over
// plain HTTP, checksums only where S3 requires them (the server does not
// read the SDK's streamed trailing checksums).
func (s *Server) BackendURL(prefix string) string {
	q := url.Values{
		"endpoint":                     {s.Endpoint},
		"region":                       {Env["AWS_REGION"]},
		"use_path_style":               {"true"},
		"disable_https":                {"true"},
		"request_checksum_calculation": {"when_required"},
		"response_checksum_validation": {"when_required"},
	}
	return "s3://" + Bucket + "/" + strings.Trim(prefix, "/") + "?" + q.Encode()
}

// Keys lists the objects under prefix in Bucket.
func (s *Server) Keys(tb testing.TB, prefix string) []string {
	tb.Helper()
	p := gofakes3.NewPrefix(&prefix, nil)
	list, err := s.backend.ListBucket(Bucket, &p, gofakes3.ListBucketPage{})
	if err != nil {
		tb.Fatal(err)
	}
	var keys []string
	for _, o := range list.Contents {
		keys = append(keys, o.Key)
	}
	return keys
}

// Snapshot is every object under prefix in Bucket with a hash of its
// content: two equal snapshots mean nothing under prefix was written.
func (s *Server) Snapshot(tb testing.TB, prefix string) map[string]string {
	tb.Helper()
	out := map[string]string{}
	for _, key := range s.Keys(tb, prefix) {
		obj, err := s.backend.GetObject(Bucket, key, nil)
		if err != nil {
			tb.Fatal(err)
		}
		h := sha256.New()
		_, err = io.Copy(h, obj.Contents)
		obj.Contents.Close()
		if err != nil {
			tb.Fatal(err)
		}
		out[key] = hex.EncodeToString(h.Sum(nil))
	}
	return out
}

// Backend is a state backend a test runs on.
type Backend struct {
	// Name is "file" or "s3".
	Name string
	// URL is the backend URL (PULUMI_BACKEND_URL).
	URL string
	// S3 is the server of an s3 backend, nil for file.
	S3 *Server
}

// ForEachBackend runs f as two subtests: on a file:// backend in a
// temporary directory and on an s3:// backend served by Start.
func ForEachBackend(t *testing.T, f func(t *testing.T, b Backend)) {
	t.Run("file", func(t *testing.T) {
		f(t, Backend{Name: "file", URL: "file://" + filepath.Join(t.TempDir(), "state")})
	})
	t.Run("s3", func(t *testing.T) {
		s := Start(t)
		f(t, Backend{Name: "s3", URL: s.BackendURL("rooms"), S3: s})
	})
}
