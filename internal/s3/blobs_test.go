package s3

import (
	"context"
	"testing"

	"github.com/liveserver/liveserver/internal/disk/blobtest"
	"github.com/liveserver/liveserver/internal/s3/s3test"
)

func TestBlobsOnVersityGW(t *testing.T) {
	srv := s3test.Start(t)
	b, err := New(context.Background(), Config{Endpoint: srv.Endpoint, Bucket: "liveserver-test", AccessKey: srv.AccessKey,
		SecretKey: srv.SecretKey, PathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	blobtest.Run(t, b)
	// A second start finds the bucket and keeps it.
	if _, err := New(context.Background(), Config{Endpoint: srv.Endpoint, Bucket: "liveserver-test", AccessKey: srv.AccessKey,
		SecretKey: srv.SecretKey, PathStyle: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := New(context.Background(), Config{Endpoint: srv.Endpoint, Bucket: "liveserver-test", AccessKey: srv.AccessKey,
		SecretKey: "wrong-secret", PathStyle: true}); err == nil {
		t.Fatal("wrong credentials accepted")
	}
}
