// Package gdrive uploads lecture exports to a host's Google Drive: the OAuth authorization-code
// flow with the drive.file scope (we see only files we create) and the one Drive call we need,
// a multipart upload. golang.org/x/oauth2 does the tokens, refreshing an expired access token by
// itself; the Drive call is a single request, so the 400 MB google.golang.org/api is not needed.
package gdrive

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"

	"golang.org/x/oauth2"
)

// Scope lets the app create files and see only those.
const Scope = "https://www.googleapis.com/auth/drive.file"

// Config is the OAuth client and where Google (or a test's fake) answers.
type Config struct {
	ClientID, ClientSecret string
	RedirectURL            string
	AuthURL                string // default Google's
	TokenURL               string // default Google's
	UploadURL              string // default https://www.googleapis.com/upload/drive/v3/files
}

// Client talks to Google for one instance.
type Client struct {
	oauth  *oauth2.Config
	upload string
	http   *http.Client // base client for token and upload calls (tests inject loopback ones)
}

// New makes a client with Google's endpoints unless cfg names others.
func New(cfg Config, base *http.Client) *Client {
	if cfg.AuthURL == "" {
		cfg.AuthURL = "https://accounts.google.com/o/oauth2/v2/auth"
	}
	if cfg.TokenURL == "" {
		cfg.TokenURL = "https://oauth2.googleapis.com/token"
	}
	if cfg.UploadURL == "" {
		cfg.UploadURL = "https://www.googleapis.com/upload/drive/v3/files"
	}
	if base == nil {
		base = http.DefaultClient
	}
	return &Client{oauth: &oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, RedirectURL: cfg.RedirectURL,
		Scopes: []string{Scope}, Endpoint: oauth2.Endpoint{AuthURL: cfg.AuthURL, TokenURL: cfg.TokenURL}}, upload: cfg.UploadURL, http: base}
}

// AuthCodeURL is where the host consents; offline access and a forced prompt make Google hand
// out a refresh token every time.
func (c *Client) AuthCodeURL(state string) string {
	return c.oauth.AuthCodeURL(state, oauth2.AccessTypeOffline, oauth2.ApprovalForce)
}

// Exchange trades the callback's code for the refresh token we keep.
func (c *Client) Exchange(ctx context.Context, code string) (string, error) {
	tok, err := c.oauth.Exchange(context.WithValue(ctx, oauth2.HTTPClient, c.http), code)
	if err != nil {
		return "", fmt.Errorf("drive: exchange code: %w", err)
	}
	if tok.RefreshToken == "" {
		return "", errors.New("drive: Google gave no refresh token")
	}
	return tok.RefreshToken, nil
}

// Upload creates a file in the host's Drive and returns its id. The access token comes from the
// refresh token, fresh for every upload.
func (c *Client) Upload(ctx context.Context, refreshToken, name, contentType string, content []byte) (string, error) {
	ctx = context.WithValue(ctx, oauth2.HTTPClient, c.http)
	hc := c.oauth.Client(ctx, &oauth2.Token{RefreshToken: refreshToken})

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	meta, _ := json.Marshal(map[string]string{"name": name, "mimeType": contentType})
	mh := textproto.MIMEHeader{"Content-Type": {"application/json; charset=UTF-8"}}
	pw, _ := mw.CreatePart(mh)
	pw.Write(meta)
	ch := textproto.MIMEHeader{"Content-Type": {contentType}}
	pw, _ = mw.CreatePart(ch)
	pw.Write(content)
	mw.Close()

	req, err := http.NewRequestWithContext(ctx, "POST", c.upload+"?uploadType=multipart&fields=id,name", &body)
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "multipart/related; boundary="+mw.Boundary())
	resp, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("drive: upload: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return "", fmt.Errorf("drive: upload: %s: %s", resp.Status, b)
	}
	var out struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(b, &out); err != nil || out.ID == "" {
		return "", fmt.Errorf("drive: upload: unexpected answer %s", b)
	}
	return out.ID, nil
}
