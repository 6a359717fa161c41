//! The API's objects in their official shapes (after the examples of the OpenAPI description),
//! with fixed timestamps so that responses are deterministic.

use serde_json::{json, Value};

/// The `created`/`created_at` of every object the mock makes.
pub const CREATED: u64 = 1_700_000_000;

pub fn model(id: &str) -> Value {
    let owner = if id.starts_with("ft:") {
        "user-mock"
    } else {
        "openai"
    };
    json!({"id": id, "object": "model", "created": 1_686_935_002u64, "owned_by": owner})
}

pub const MODELS: [&str; 8] = [
    "gpt-4o",
    "gpt-4o-mini",
    "gpt-3.5-turbo",
    "text-embedding-3-small",
    "text-moderation-latest",
    "whisper-1",
    "tts-1",
    "dall-e-3",
];

pub fn file(id: &str, filename: &str, bytes: u64, purpose: &str, created_at: u64) -> Value {
    json!({
        "id": id,
        "object": "file",
        "bytes": bytes,
        "created_at": created_at,
        "expires_at": null,
        "filename": filename,
        "purpose": purpose,
        "status": "processed",
        "status_details": null,
    })
}

pub fn fine_tuning_job(
    id: &str,
    model: &str,
    status: &str,
    training_file: &str,
    created_at: u64,
) -> Value {
    let done = status == "succeeded";
    json!({
        "object": "fine_tuning.job",
        "id": id,
        "model": model,
        "created_at": created_at,
        "finished_at": if done { json!(created_at + 600) } else { Value::Null },
        "fine_tuned_model": if done { json!(format!("ft:{model}:mock-org::{}", id.trim_start_matches("ftjob-"))) } else { Value::Null },
        "organization_id": "org-mock",
        "result_files": if done { json!(["file-result001"]) } else { json!([]) },
        "status": status,
        "validation_file": null,
        "training_file": training_file,
        "hyperparameters": {"n_epochs": "auto", "batch_size": "auto", "learning_rate_multiplier": "auto"},
        "trained_tokens": if done { json!(5768) } else { Value::Null },
        "error": null,
        "user_provided_suffix": null,
        "seed": 42,
        "estimated_finish": null,
        "integrations": [],
        "metadata": null,
        "method": {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": "auto", "batch_size": "auto", "learning_rate_multiplier": "auto"}}},
    })
}

pub fn fine_tuning_event(id: &str, n: usize, created_at: u64) -> Value {
    json!({
        "object": "fine_tuning.job.event",
        "id": id,
        "created_at": created_at,
        "level": "info",
        "message": format!("Step {n}/7: training loss=0.{:02}", 100 - n * 10),
        "data": {"step": n, "train_loss": (100 - n as u64 * 10) as f64 / 100.0},
        "type": "metrics",
    })
}

pub fn assistant(id: &str, model: &str, created_at: u64) -> Value {
    json!({
        "id": id,
        "object": "assistant",
        "created_at": created_at,
        "name": "Math Tutor",
        "description": null,
        "model": model,
        "instructions": "You are a personal math tutor.",
        "tools": [],
        "tool_resources": {},
        "metadata": {},
        "top_p": 1.0,
        "temperature": 1.0,
        "response_format": "auto",
    })
}

pub fn thread(id: &str, created_at: u64) -> Value {
    json!({"id": id, "object": "thread", "created_at": created_at, "metadata": {}, "tool_resources": {}})
}

pub fn text_content(text: &str) -> Value {
    json!([{"type": "text", "text": {"value": text, "annotations": []}}])
}

pub fn message(id: &str, thread_id: &str, role: &str, text: &str, created_at: u64) -> Value {
    json!({
        "id": id,
        "object": "thread.message",
        "created_at": created_at,
        "assistant_id": null,
        "thread_id": thread_id,
        "run_id": null,
        "status": "completed",
        "incomplete_details": null,
        "incomplete_at": null,
        "completed_at": created_at,
        "role": role,
        "content": text_content(text),
        "attachments": [],
        "metadata": {},
    })
}

pub fn run(
    id: &str,
    thread_id: &str,
    assistant_id: &str,
    model: &str,
    status: &str,
    created_at: u64,
) -> Value {
    let completed = status == "completed";
    json!({
        "id": id,
        "object": "thread.run",
        "created_at": created_at,
        "assistant_id": assistant_id,
        "thread_id": thread_id,
        "status": status,
        "started_at": if status == "queued" { Value::Null } else { json!(created_at + 1) },
        "expires_at": if completed { Value::Null } else { json!(created_at + 600) },
        "cancelled_at": null,
        "failed_at": null,
        "completed_at": if completed { json!(created_at + 2) } else { Value::Null },
        "required_action": null,
        "last_error": null,
        "model": model,
        "instructions": null,
        "tools": [],
        "tool_resources": {},
        "metadata": {},
        "temperature": 1.0,
        "top_p": 1.0,
        "max_completion_tokens": null,
        "max_prompt_tokens": null,
        "truncation_strategy": {"type": "auto", "last_messages": null},
        "incomplete_details": null,
        "usage": if completed { run_usage() } else { Value::Null },
        "response_format": "auto",
        "tool_choice": "auto",
        "parallel_tool_calls": true,
    })
}

pub fn run_usage() -> Value {
    json!({"prompt_tokens": 20, "completion_tokens": 7, "total_tokens": 27})
}

pub fn run_step(
    id: &str,
    run_id: &str,
    thread_id: &str,
    message_id: &str,
    created_at: u64,
) -> Value {
    json!({
        "id": id,
        "object": "thread.run.step",
        "created_at": created_at,
        "run_id": run_id,
        "assistant_id": "asst_abc123",
        "thread_id": thread_id,
        "type": "message_creation",
        "status": "completed",
        "cancelled_at": null,
        "completed_at": created_at + 1,
        "expired_at": null,
        "failed_at": null,
        "last_error": null,
        "step_details": {"type": "message_creation", "message_creation": {"message_id": message_id}},
        "usage": run_usage(),
    })
}

pub fn deleted(id: &str, object: &str) -> Value {
    json!({"id": id, "object": object, "deleted": true})
}

/// A 1×1 transparent PNG, for images asked for as b64_json.
pub const PNG_1X1_BASE64: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

pub fn image_data(n: usize, b64: bool, revised_prompt: Option<&str>) -> Value {
    (1..=n)
        .map(|i| {
            let mut d = if b64 {
                json!({"b64_json": PNG_1X1_BASE64})
            } else {
                json!({"url": format!("https://images.mock.invalid/img-{i:03}.png")})
            };
            if let Some(p) = revised_prompt {
                d["revised_prompt"] = json!(p);
            }
            d
        })
        .collect()
}

pub const MODERATION_CATEGORIES: [&str; 13] = [
    "harassment",
    "harassment/threatening",
    "hate",
    "hate/threatening",
    "illicit",
    "illicit/violent",
    "self-harm",
    "self-harm/instructions",
    "self-harm/intent",
    "sexual",
    "sexual/minors",
    "violence",
    "violence/graphic",
];

pub fn moderation_result() -> Value {
    let mut categories = serde_json::Map::new();
    let mut scores = serde_json::Map::new();
    let mut applied = serde_json::Map::new();
    for (i, c) in MODERATION_CATEGORIES.iter().enumerate() {
        categories.insert(c.to_string(), json!(false));
        scores.insert(c.to_string(), json!((i as f64 + 1.0) / 10000.0));
        applied.insert(c.to_string(), json!(["text"]));
    }
    json!({
        "flagged": false,
        "categories": categories,
        "category_scores": scores,
        "category_applied_input_types": applied,
    })
}
