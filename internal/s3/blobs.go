// Package s3 is domain.Blobs on S3-compatible storage (MinIO, versitygw, AWS) with minio-go.
package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/liveserver/liveserver/internal/domain"
)

// partSize bounds the memory of one streamed upload: minio-go buffers one part at a time
// (without it an upload of unknown size buffers 537 MiB, DESIGN §7).
const partSize = 8 << 20

// Config is where the bucket is and how to reach it.
type Config struct {
	Endpoint  string // host:port, or a URL (http:// means no TLS)
	Bucket    string
	AccessKey string
	SecretKey string
	Region    string // us-east-1 when empty
	// PathStyle addresses the bucket in the path (MinIO, versitygw), not in the host name.
	PathStyle bool
}

// Blobs keeps blobs as objects of one bucket.
type Blobs struct {
	c      *minio.Client
	bucket string
}

var _ domain.Blobs = (*Blobs)(nil)

// New connects and makes sure the bucket exists.
func New(ctx context.Context, cfg Config) (*Blobs, error) {
	endpoint, secure := cfg.Endpoint, true
	if u, err := url.Parse(cfg.Endpoint); err == nil && u.Host != "" {
		endpoint, secure = u.Host, u.Scheme != "http"
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	lookup := minio.BucketLookupAuto
	if cfg.PathStyle {
		lookup = minio.BucketLookupPath
	}
	c, err := minio.New(endpoint, &minio.Options{Creds: credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: secure, Region: cfg.Region, BucketLookup: lookup})
	if err != nil {
		return nil, fmt.Errorf("s3: %w", err)
	}
	b := &Blobs{c: c, bucket: cfg.Bucket}
	exists, err := c.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("s3: bucket %s: %w", cfg.Bucket, err)
	}
	if !exists {
		if err := c.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{Region: cfg.Region}); err != nil {
			return nil, fmt.Errorf("s3: create bucket %s: %w", cfg.Bucket, err)
		}
	}
	return b, nil
}

func (b *Blobs) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	_, err := b.c.PutObject(ctx, b.bucket, key, r, size, minio.PutObjectOptions{ContentType: contentType, PartSize: partSize})
	if err != nil {
		return fmt.Errorf("s3: put %s: %w", key, err)
	}
	return nil
}

// Get opens the object; minio-go fetches lazily, so Stat first to answer "missing" here.
func (b *Blobs) Get(ctx context.Context, key string) (io.ReadCloser, domain.BlobInfo, error) {
	st, err := b.c.StatObject(ctx, b.bucket, key, minio.StatObjectOptions{})
	if notFound(err) {
		return nil, domain.BlobInfo{}, domain.Errorf(domain.ENotFound, "The file's content is missing.")
	}
	if err != nil {
		return nil, domain.BlobInfo{}, fmt.Errorf("s3: stat %s: %w", key, err)
	}
	obj, err := b.c.GetObject(ctx, b.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, domain.BlobInfo{}, fmt.Errorf("s3: get %s: %w", key, err)
	}
	return obj, domain.BlobInfo{Size: st.Size, ContentType: st.ContentType}, nil
}

func (b *Blobs) Delete(ctx context.Context, key string) error {
	if err := b.c.RemoveObject(ctx, b.bucket, key, minio.RemoveObjectOptions{}); err != nil && !notFound(err) {
		return fmt.Errorf("s3: delete %s: %w", key, err)
	}
	return nil
}

// Ping asks whether the bucket is there.
func (b *Blobs) Ping(ctx context.Context) error {
	ok, err := b.c.BucketExists(ctx, b.bucket)
	if err != nil {
		return fmt.Errorf("s3: %w", err)
	}
	if !ok {
		return errors.New("s3: bucket is gone")
	}
	return nil
}

func notFound(err error) bool {
	var e minio.ErrorResponse
	if errors.As(err, &e) {
		return e.StatusCode == http.StatusNotFound || e.Code == "NoSuchKey"
	}
	return false
}
