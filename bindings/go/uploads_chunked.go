package openai

/*
#include <stdint.h>
#include "openai.h"

extern void openaiGoComplete(openai_response *, void *);
extern void openaiGoProgress(uint64_t, uint64_t, void *);

static openai_future *openai_go_uploads_upload_file_chunked_async(const openai_client *client, const char *path,
		const char *create_json, const char *options_json, uintptr_t progress, uintptr_t userdata) {
	return openai_uploads_upload_file_chunked_async(client, path, create_json, options_json,
		progress ? openaiGoProgress : NULL, (void *)progress, openaiGoComplete, (void *)userdata);
}
*/
import "C"

import "context"

// UploadFileChunked uploads a large file through the Uploads API, as the official SDK's
// uploads.upload_file_chunked: uploads.create, then the file's parts sent several at a time,
// each streamed from its range of the file at path (never read whole into memory), then
// uploads.complete with the part ids in the file's order. It returns the response of
// uploads.complete, the Upload object whose file (/file/id) is ready to use; or the first
// failure as an *Error.
//
// C: openai_uploads_upload_file_chunked_async. create is the body of uploads.create: purpose and
// mime_type are required, filename defaults to the path's last component and bytes to the file's
// size, e.g. openai.Options{"purpose": "fine-tune", "mime_type": "text/jsonl"}. options (nil for
// the defaults): part_size (bytes per part, 1 to 64 MiB, default 64 MiB), parallel (parts in
// flight at once, 1 to 16, default 4), md5 (the whole file's MD5 in hex, for uploads.complete to
// check). Each part is retried by the client's max_retries; a part that fails for good cancels
// the Upload. progress, if not nil, hears the bytes sent and the file's size, one report at a
// time, on any thread (a retried part counts again from its start, so the figure may go back).
// Cancelling ctx stops the upload at once, dropping the parts in flight, and the library then
// cancels the Upload (uploads.cancel) in the background; ctx.Err() is returned.
func (r *UploadsService) UploadFileChunked(ctx context.Context, path string, create any, options any, progress func(sent, total uint64)) (*Response, error) {
	var a args
	defer a.free()
	cPath := a.str("path", path)
	cCreate := a.json("create", create)
	cOptions := a.json("options", options)
	if a.err != nil {
		return nil, a.err
	}
	id := progressID(progress)
	if id != 0 {
		defer unregister(id)
	}
	return r.h.call(ctx, &a, func(cl *C.openai_client, h C.uintptr_t) *C.openai_future {
		return C.openai_go_uploads_upload_file_chunked_async(cl, cPath, cCreate, cOptions, C.uintptr_t(id), h)
	})
}
