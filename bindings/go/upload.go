package openai

/*
#include <stdint.h>
#include <stdlib.h>
#include "openai.h"

extern void openaiGoProgress(uint64_t, uint64_t, void *);

static openai_code openai_go_upload_set_progress(openai_upload *upload, uintptr_t userdata) {
	return openai_upload_set_progress(upload, userdata ? openaiGoProgress : NULL, (void *)userdata);
}
*/
import "C"

import (
	"runtime"
	"sync"
	"unsafe"
)

// Upload is a file to send in a multipart operation (client.Files.New, client.Images.Edit,
// client.Audio.Transcriptions.New, client.Uploads.Parts.New, ...). One upload may be
// sent by several calls, also at once; close it when done (calls already made keep what they
// need).
type Upload struct {
	mu       sync.RWMutex
	ptr      *C.openai_upload
	progress uintptr
}

// NewUploadFromPath is an upload of the file at path, read from disk while it is sent (never
// whole into memory) and opened anew by each attempt. filename is the name the server sees
// ("": the path's last component); contentType its type ("": guessed from the name). A file
// that does not exist or cannot be read is an error.
func NewUploadFromPath(path, filename, contentType string) (*Upload, error) {
	var a args
	defer a.free()
	cPath := a.str("path", path)
	cName := a.optStr("filename", filename)
	cType := a.optStr("contentType", contentType)
	if a.err != nil {
		return nil, a.err
	}
	return newUpload(func() *C.openai_upload { return C.openai_upload_from_path(cPath, cName, cType) })
}

// NewUploadFromBytes is an upload of data, which is copied (the caller may reuse it at once).
// filename ("": "file") and contentType ("": guessed from the name) as for NewUploadFromPath.
func NewUploadFromBytes(data []byte, filename, contentType string) (*Upload, error) {
	var a args
	defer a.free()
	cName := a.optStr("filename", filename)
	cType := a.optStr("contentType", contentType)
	if a.err != nil {
		return nil, a.err
	}
	var p unsafe.Pointer
	if len(data) > 0 {
		p = unsafe.Pointer(&data[0]) // read during the call only: allowed by the cgo pointer rules
	}
	u, err := newUpload(func() *C.openai_upload {
		return C.openai_upload_from_memory(p, C.size_t(len(data)), cName, cType)
	})
	runtime.KeepAlive(data)
	return u, err
}

func newUpload(create func() *C.openai_upload) (*Upload, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	ptr := create()
	if ptr == nil {
		return nil, lastError(C.OPENAI_INVALID_ARGUMENT)
	}
	u := &Upload{ptr: ptr}
	runtime.SetFinalizer(u, (*Upload).Close) // a safety net only
	return u, nil
}

// SetProgress sets (or, with nil, removes) the function that hears how many bytes of the file
// were sent, of total, by every call that sends it from now on. It may run on any thread.
func (u *Upload) SetProgress(f func(sent, total uint64)) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.ptr == nil {
		return invalidArgument("the upload is closed")
	}
	id := progressID(f)
	if err := failing(func() C.openai_code { return C.openai_go_upload_set_progress(u.ptr, C.uintptr_t(id)) }); err != nil {
		if id != 0 {
			unregister(id)
		}
		return err
	}
	if u.progress != 0 {
		unregister(u.progress)
	}
	u.progress = id
	return nil
}

// Close frees the upload. Closing twice does nothing.
func (u *Upload) Close() error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.ptr != nil {
		C.openai_upload_free(u.ptr)
		u.ptr = nil
		runtime.SetFinalizer(u, nil)
	}
	if u.progress != 0 {
		unregister(u.progress)
		u.progress = 0
	}
	return nil
}

// optStr is NULL for "", else as str.
func (a *args) optStr(name, s string) *C.char {
	if s == "" {
		return nil
	}
	return a.str(name, s)
}
