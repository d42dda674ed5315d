package domain

import "context"

// LLM is a chat-completions model (OpenAI or any compatible server).
type LLM interface {
	// Complete answers prompt under the system instructions.
	Complete(ctx context.Context, system, prompt string) (string, error)
}
