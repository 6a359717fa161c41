package openai

// The official SDK's polling helpers (PollStatus, NewAndPoll): thin wrappers of the library's
// _poll and _create_and_poll functions (openai.h), which do the waiting. They are written by
// hand: these functions are not operations of bindings/operations.json.

/*
#include <stdint.h>
#include "openai.h"

extern void openaiGoComplete(openai_response *, void *);

static openai_future *openai_go_beta_threads_runs_poll_async(const openai_client *client, const char *thread_id, const char *run_id, const char *options_json, uintptr_t userdata) {
	return openai_beta_threads_runs_poll_async(client, thread_id, run_id, options_json, openaiGoComplete, (void *)userdata);
}

static openai_future *openai_go_beta_threads_runs_create_and_poll_async(const openai_client *client, const char *thread_id, const char *body_json, const char *options_json, uintptr_t userdata) {
	return openai_beta_threads_runs_create_and_poll_async(client, thread_id, body_json, options_json, openaiGoComplete, (void *)userdata);
}

static openai_future *openai_go_vector_stores_files_poll_async(const openai_client *client, const char *vector_store_id, const char *file_id, const char *options_json, uintptr_t userdata) {
	return openai_vector_stores_files_poll_async(client, vector_store_id, file_id, options_json, openaiGoComplete, (void *)userdata);
}

static openai_future *openai_go_vector_stores_files_create_and_poll_async(const openai_client *client, const char *vector_store_id, const char *body_json, const char *options_json, uintptr_t userdata) {
	return openai_vector_stores_files_create_and_poll_async(client, vector_store_id, body_json, options_json, openaiGoComplete, (void *)userdata);
}

static openai_future *openai_go_vector_stores_file_batches_poll_async(const openai_client *client, const char *vector_store_id, const char *batch_id, const char *options_json, uintptr_t userdata) {
	return openai_vector_stores_file_batches_poll_async(client, vector_store_id, batch_id, options_json, openaiGoComplete, (void *)userdata);
}

static openai_future *openai_go_vector_stores_file_batches_create_and_poll_async(const openai_client *client, const char *vector_store_id, const char *body_json, const char *options_json, uintptr_t userdata) {
	return openai_vector_stores_file_batches_create_and_poll_async(client, vector_store_id, body_json, options_json, openaiGoComplete, (void *)userdata);
}

static openai_future *openai_go_batches_poll_async(const openai_client *client, const char *batch_id, const char *options_json, uintptr_t userdata) {
	return openai_batches_poll_async(client, batch_id, options_json, openaiGoComplete, (void *)userdata);
}

static openai_future *openai_go_responses_poll_async(const openai_client *client, const char *response_id, const char *options_json, uintptr_t userdata) {
	return openai_responses_poll_async(client, response_id, options_json, openaiGoComplete, (void *)userdata);
}

static openai_future *openai_go_videos_poll_async(const openai_client *client, const char *video_id, const char *options_json, uintptr_t userdata) {
	return openai_videos_poll_async(client, video_id, options_json, openaiGoComplete, (void *)userdata);
}

static openai_future *openai_go_videos_create_and_poll_async(const openai_client *client, const char *fields_json, const openai_upload *input_reference, const char *options_json, uintptr_t userdata) {
	return openai_videos_create_and_poll_async(client, fields_json, input_reference, options_json, openaiGoComplete, (void *)userdata);
}
*/
import "C"

import "context"

// pollOptions is the options_json of a poll: the interval when one is given, else nil (the
// library's defaults). The wait's deadline is the context's.
func pollOptions(pollIntervalMs int) any {
	if pollIntervalMs <= 0 {
		return nil
	}
	return Options{"interval_ms": pollIntervalMs}
}

// PollStatus waits for a run to reach a terminal status (requires_action, cancelled, completed,
// failed, expired, incomplete), as the official SDK's runs.poll: the run is retrieved
// (beta.threads.runs.retrieve) while it is queued, in_progress or cancelling.
//
// C: openai_beta_threads_runs_poll_async. pollIntervalMs is the wait between two retrievals in
// milliseconds (0: the server's openai-poll-after-ms header, else 1000), as in the official Go SDK.
// It returns the last response: the object in its terminal status; or the failed call's *Error. ctx
// bounds the whole wait: cancelling it stops the wait at once (ctx.Err() is returned).
func (r *BetaThreadsRunsService) PollStatus(ctx context.Context, threadID string, runID string, pollIntervalMs int) (*Response, error) {
	var a args
	defer a.free()
	cThreadID := a.str("thread_id", threadID)
	cRunID := a.str("run_id", runID)
	cOptions := a.json("options", pollOptions(pollIntervalMs))
	if a.err != nil {
		return nil, a.err
	}
	return r.h.call(ctx, &a, func(cl *C.openai_client, h C.uintptr_t) *C.openai_future {
		return C.openai_go_beta_threads_runs_poll_async(cl, cThreadID, cRunID, cOptions, h)
	})
}

// NewAndPoll creates a run (beta.threads.runs.create with body) and waits for it to reach a
// terminal status, as the official SDK's runs.create_and_poll (see PollStatus). A failed creation
// is returned as it came.
//
// C: openai_beta_threads_runs_create_and_poll_async. pollIntervalMs is the wait between two
// retrievals in milliseconds (0: the server's openai-poll-after-ms header, else 1000), as in the
// official Go SDK. It returns the last response: the object in its terminal status; or the failed
// call's *Error. ctx bounds the whole wait: cancelling it stops the wait at once (ctx.Err() is
// returned).
func (r *BetaThreadsRunsService) NewAndPoll(ctx context.Context, threadID string, body any, pollIntervalMs int) (*Response, error) {
	var a args
	defer a.free()
	cThreadID := a.str("thread_id", threadID)
	cBody := a.json("body_json", body)
	cOptions := a.json("options", pollOptions(pollIntervalMs))
	if a.err != nil {
		return nil, a.err
	}
	return r.h.call(ctx, &a, func(cl *C.openai_client, h C.uintptr_t) *C.openai_future {
		return C.openai_go_beta_threads_runs_create_and_poll_async(cl, cThreadID, cBody, cOptions, h)
	})
}

// PollStatus waits for a file of a vector store to be processed (completed, failed or cancelled),
// as the official SDK's vector_stores.files.poll: it is retrieved while in_progress. A file that
// failed is returned without an error: read its status and last_error.
//
// C: openai_vector_stores_files_poll_async. pollIntervalMs is the wait between two retrievals in
// milliseconds (0: the server's openai-poll-after-ms header, else 1000), as in the official Go SDK.
// It returns the last response: the object in its terminal status; or the failed call's *Error. ctx
// bounds the whole wait: cancelling it stops the wait at once (ctx.Err() is returned).
func (r *VectorStoresFilesService) PollStatus(ctx context.Context, vectorStoreID string, fileID string, pollIntervalMs int) (*Response, error) {
	var a args
	defer a.free()
	cVectorStoreID := a.str("vector_store_id", vectorStoreID)
	cFileID := a.str("file_id", fileID)
	cOptions := a.json("options", pollOptions(pollIntervalMs))
	if a.err != nil {
		return nil, a.err
	}
	return r.h.call(ctx, &a, func(cl *C.openai_client, h C.uintptr_t) *C.openai_future {
		return C.openai_go_vector_stores_files_poll_async(cl, cVectorStoreID, cFileID, cOptions, h)
	})
}

// NewAndPoll attaches a file to a vector store (vector_stores.files.create with body, e.g.
// {"file_id": "file-abc"}) and waits until it is processed, as the official SDK's
// vector_stores.files.create_and_poll (see PollStatus).
//
// C: openai_vector_stores_files_create_and_poll_async. pollIntervalMs is the wait between two
// retrievals in milliseconds (0: the server's openai-poll-after-ms header, else 1000), as in the
// official Go SDK. It returns the last response: the object in its terminal status; or the failed
// call's *Error. ctx bounds the whole wait: cancelling it stops the wait at once (ctx.Err() is
// returned).
func (r *VectorStoresFilesService) NewAndPoll(ctx context.Context, vectorStoreID string, body any, pollIntervalMs int) (*Response, error) {
	var a args
	defer a.free()
	cVectorStoreID := a.str("vector_store_id", vectorStoreID)
	cBody := a.json("body_json", body)
	cOptions := a.json("options", pollOptions(pollIntervalMs))
	if a.err != nil {
		return nil, a.err
	}
	return r.h.call(ctx, &a, func(cl *C.openai_client, h C.uintptr_t) *C.openai_future {
		return C.openai_go_vector_stores_files_create_and_poll_async(cl, cVectorStoreID, cBody, cOptions, h)
	})
}

// PollStatus waits for a file batch of a vector store to finish (completed, failed or cancelled),
// as the official SDK's vector_stores.file_batches.poll: it is retrieved while in_progress.
//
// C: openai_vector_stores_file_batches_poll_async. pollIntervalMs is the wait between two
// retrievals in milliseconds (0: the server's openai-poll-after-ms header, else 1000), as in the
// official Go SDK. It returns the last response: the object in its terminal status; or the failed
// call's *Error. ctx bounds the whole wait: cancelling it stops the wait at once (ctx.Err() is
// returned).
func (r *VectorStoresFileBatchesService) PollStatus(ctx context.Context, vectorStoreID string, batchID string, pollIntervalMs int) (*Response, error) {
	var a args
	defer a.free()
	cVectorStoreID := a.str("vector_store_id", vectorStoreID)
	cBatchID := a.str("batch_id", batchID)
	cOptions := a.json("options", pollOptions(pollIntervalMs))
	if a.err != nil {
		return nil, a.err
	}
	return r.h.call(ctx, &a, func(cl *C.openai_client, h C.uintptr_t) *C.openai_future {
		return C.openai_go_vector_stores_file_batches_poll_async(cl, cVectorStoreID, cBatchID, cOptions, h)
	})
}

// NewAndPoll creates a file batch of a vector store (vector_stores.file_batches.create with body,
// e.g. {"file_ids": ["file-a", "file-b"]}) and waits for it to finish, as the official SDK's
// vector_stores.file_batches.create_and_poll (see PollStatus).
//
// C: openai_vector_stores_file_batches_create_and_poll_async. pollIntervalMs is the wait between
// two retrievals in milliseconds (0: the server's openai-poll-after-ms header, else 1000), as in
// the official Go SDK. It returns the last response: the object in its terminal status; or the
// failed call's *Error. ctx bounds the whole wait: cancelling it stops the wait at once (ctx.Err()
// is returned).
func (r *VectorStoresFileBatchesService) NewAndPoll(ctx context.Context, vectorStoreID string, body any, pollIntervalMs int) (*Response, error) {
	var a args
	defer a.free()
	cVectorStoreID := a.str("vector_store_id", vectorStoreID)
	cBody := a.json("body_json", body)
	cOptions := a.json("options", pollOptions(pollIntervalMs))
	if a.err != nil {
		return nil, a.err
	}
	return r.h.call(ctx, &a, func(cl *C.openai_client, h C.uintptr_t) *C.openai_future {
		return C.openai_go_vector_stores_file_batches_create_and_poll_async(cl, cVectorStoreID, cBody, cOptions, h)
	})
}

// PollStatus waits for a batch to end (completed, failed, expired or cancelled): it is retrieved
// (batches.retrieve) while validating, in_progress, finalizing or cancelling. A batch that failed
// or expired is returned without an error: read its status and errors.
//
// C: openai_batches_poll_async. pollIntervalMs is the wait between two retrievals in milliseconds
// (0: the server's openai-poll-after-ms header, else 1000), as in the official Go SDK. It returns
// the last response: the object in its terminal status; or the failed call's *Error. ctx bounds the
// whole wait: cancelling it stops the wait at once (ctx.Err() is returned).
func (r *BatchesService) PollStatus(ctx context.Context, batchID string, pollIntervalMs int) (*Response, error) {
	var a args
	defer a.free()
	cBatchID := a.str("batch_id", batchID)
	cOptions := a.json("options", pollOptions(pollIntervalMs))
	if a.err != nil {
		return nil, a.err
	}
	return r.h.call(ctx, &a, func(cl *C.openai_client, h C.uintptr_t) *C.openai_future {
		return C.openai_go_batches_poll_async(cl, cBatchID, cOptions, h)
	})
}

// PollStatus waits for a background response (created with "background": true) to end (completed,
// failed, cancelled or incomplete): it is retrieved (responses.retrieve) while queued or
// in_progress.
//
// C: openai_responses_poll_async. pollIntervalMs is the wait between two retrievals in milliseconds
// (0: the server's openai-poll-after-ms header, else 1000), as in the official Go SDK. It returns
// the last response: the object in its terminal status; or the failed call's *Error. ctx bounds the
// whole wait: cancelling it stops the wait at once (ctx.Err() is returned).
func (r *ResponsesService) PollStatus(ctx context.Context, responseID string, pollIntervalMs int) (*Response, error) {
	var a args
	defer a.free()
	cResponseID := a.str("response_id", responseID)
	cOptions := a.json("options", pollOptions(pollIntervalMs))
	if a.err != nil {
		return nil, a.err
	}
	return r.h.call(ctx, &a, func(cl *C.openai_client, h C.uintptr_t) *C.openai_future {
		return C.openai_go_responses_poll_async(cl, cResponseID, cOptions, h)
	})
}

// PollStatus waits for a video to be rendered (completed or failed), as the official SDK's
// videos.poll: it is retrieved (videos.retrieve) while queued or in_progress.
//
// C: openai_videos_poll_async. pollIntervalMs is the wait between two retrievals in milliseconds
// (0: the server's openai-poll-after-ms header, else 1000), as in the official Go SDK. It returns
// the last response: the object in its terminal status; or the failed call's *Error. ctx bounds the
// whole wait: cancelling it stops the wait at once (ctx.Err() is returned).
func (r *VideosService) PollStatus(ctx context.Context, videoID string, pollIntervalMs int) (*Response, error) {
	var a args
	defer a.free()
	cVideoID := a.str("video_id", videoID)
	cOptions := a.json("options", pollOptions(pollIntervalMs))
	if a.err != nil {
		return nil, a.err
	}
	return r.h.call(ctx, &a, func(cl *C.openai_client, h C.uintptr_t) *C.openai_future {
		return C.openai_go_videos_poll_async(cl, cVideoID, cOptions, h)
	})
}

// NewAndPoll creates a video (videos.create: fields as the form's fields, inputReference an
// optional image to start from, may be nil) and waits until it is rendered, as the official SDK's
// videos.create_and_poll (see PollStatus).
//
// C: openai_videos_create_and_poll_async. pollIntervalMs is the wait between two retrievals in
// milliseconds (0: the server's openai-poll-after-ms header, else 1000), as in the official Go SDK.
// It returns the last response: the object in its terminal status; or the failed call's *Error. ctx
// bounds the whole wait: cancelling it stops the wait at once (ctx.Err() is returned).
func (r *VideosService) NewAndPoll(ctx context.Context, fields any, inputReference *Upload, pollIntervalMs int) (*Response, error) {
	var a args
	defer a.free()
	cFields := a.json("fields_json", fields)
	cInputReference := a.upload("input_reference", inputReference)
	cOptions := a.json("options", pollOptions(pollIntervalMs))
	if a.err != nil {
		return nil, a.err
	}
	return r.h.call(ctx, &a, func(cl *C.openai_client, h C.uintptr_t) *C.openai_future {
		return C.openai_go_videos_create_and_poll_async(cl, cFields, cInputReference, cOptions, h)
	})
}
