// Package openai is the domain's LLM on any OpenAI-compatible chat-completions endpoint (OpenAI,
// a local vLLM or llama.cpp server), through the official Go SDK.
package openai

import (
	"context"
	"errors"
	"fmt"
	"time"

	sdk "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/liveserver/liveserver/internal/domain"
)

// Config says which server and model.
type Config struct {
	BaseURL string // e.g. https://api.openai.com/v1 or http://llm.local:8000/v1
	APIKey  string
	Model   string
	// Timeout bounds one request (the SDK's own retries come on top); 3 minutes when zero.
	Timeout time.Duration
}

// LLM answers chat completions.
type LLM struct {
	c     sdk.Client
	model string
}

var _ domain.LLM = (*LLM)(nil)

// New makes the client. The base URL is always given explicitly: the SDK would otherwise read
// OPENAI_BASE_URL from the environment or default to the public API.
func New(cfg Config) (*LLM, error) {
	if cfg.BaseURL == "" || cfg.Model == "" {
		return nil, errors.New("openai: base URL and model are required")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 3 * time.Minute
	}
	c := sdk.NewClient(option.WithBaseURL(cfg.BaseURL), option.WithAPIKey(cfg.APIKey),
		option.WithMaxRetries(2), option.WithRequestTimeout(cfg.Timeout))
	return &LLM{c: c, model: cfg.Model}, nil
}

// Complete sends one system and one user message and returns the answer's text.
func (l *LLM) Complete(ctx context.Context, system, prompt string) (string, error) {
	res, err := l.c.Chat.Completions.New(ctx, sdk.ChatCompletionNewParams{
		Model:    l.model,
		Messages: []sdk.ChatCompletionMessageParamUnion{sdk.SystemMessage(system), sdk.UserMessage(prompt)},
	})
	if err != nil {
		// The SDK's error text hides the server's message; the *Error has it.
		var apiErr *sdk.Error
		if errors.As(err, &apiErr) {
			return "", fmt.Errorf("llm: %d %s", apiErr.StatusCode, truncate(apiErr.RawJSON(), 300))
		}
		return "", fmt.Errorf("llm: %w", err)
	}
	if len(res.Choices) == 0 || res.Choices[0].Message.Content == "" {
		return "", errors.New("llm: empty answer")
	}
	return res.Choices[0].Message.Content, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
