package openai_test

// The examples run against the mock server: TestMain points OPENAI_API_KEY and
// OPENAI_BASE_URL at it. The first one is the README's example.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"

	openai "github.com/libopenai/libopenai/bindings/go"
)

func Example() {
	client, err := openai.NewClient(nil) // the key from OPENAI_API_KEY
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	body, _, err := client.ChatCompletionsCreate(context.Background(),
		`{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]}`)
	if err != nil {
		log.Fatal(err)
	}
	var completion struct {
		Choices []struct{ Message struct{ Content string } }
	}
	json.Unmarshal(body, &completion)
	fmt.Println(completion.Choices[0].Message.Content)
	// Output: Hello! How can I help you today?
}

func ExampleStream() {
	client, _ := openai.NewClient(nil)
	defer client.Close()
	stream, err := client.ChatCompletionsCreateStream(context.Background(),
		map[string]any{"model": "gpt-4o-mini", "messages": []any{map[string]any{"role": "user", "content": "Hello"}}})
	if err != nil {
		log.Fatal(err)
	}
	defer stream.Close()
	for stream.Next() {
		var chunk struct {
			Choices []struct{ Delta struct{ Content string } }
		}
		if stream.Current().Decode(&chunk) == nil && len(chunk.Choices) > 0 {
			fmt.Print(chunk.Choices[0].Delta.Content)
		}
	}
	if err := stream.Err(); err != nil {
		log.Fatal(err)
	}
	fmt.Println()
	// Output: Hello! How can I help you today?
}

func ExampleError() {
	client, _ := openai.NewClient(nil)
	defer client.Close()
	_, _, err := client.ModelsRetrieve(context.Background(), "missing-model")
	var apiErr *openai.Error
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.Status, apiErr.Code, errors.Is(err, openai.CodeNotFound))
		fmt.Println(apiErr.Message)
	}
	// Output:
	// 404 model_not_found true
	// The model 'missing-model' does not exist
}

func ExamplePager() {
	client, _ := openai.NewClient(nil)
	defer client.Close()
	pager := client.FilesListPages(context.Background(), map[string]any{"limit": 3})
	defer pager.Close()
	for pager.Next() {
		var page struct{ Data []struct{ ID string } }
		pager.Current().Decode(&page)
		fmt.Println(len(page.Data), page.Data[0].ID)
	}
	if err := pager.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// 3 file-abc001
	// 3 file-abc004
	// 1 file-abc007
}
