//! Paging through thousands of invitations while others write.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};

use testkit::{Api, TestServer};

#[test]
fn pages_neither_skip_nor_repeat_rows_while_others_insert_and_delete() {
    let server = TestServer::start();
    let api = Api::new(&server);
    let emails: Vec<String> = (0..3000)
        .map(|i| format!("member{i:04}@example.com"))
        .collect();
    let mut ids = Vec::new();
    for chunk in emails.chunks(1000) {
        let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
        ids.extend(
            api.invite(&refs)
                .into_iter()
                .map(|result| result["data"]["id"].as_str().unwrap().to_owned()),
        );
    }
    // Every tenth row is deleted while the reader pages; the rest must be seen exactly once.
    let doomed: Vec<String> = ids.iter().step_by(10).cloned().collect();
    let survivors: HashSet<String> = ids
        .iter()
        .filter(|id| !doomed.contains(id))
        .cloned()
        .collect();

    let reading = AtomicBool::new(true);
    let seen = std::thread::scope(|scope| {
        let writer = scope.spawn(|| {
            let api = Api::new(&server);
            let mut deleted = 0;
            let mut added = 0;
            while reading.load(Ordering::Relaxed) && deleted < doomed.len() {
                let reply = api.post_raw(
                    &format!(
                        "/api/v2/organization_invitations/{}/invalidate",
                        doomed[deleted]
                    ),
                    "",
                );
                assert_eq!(reply.status, 200);
                deleted += 1;
                let email = format!("newcomer{added}@example.com");
                assert_eq!(api.invite(&[&email])[0]["status"], 200);
                added += 1;
            }
        });
        let mut seen = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut path = "/api/v2/organization_invitations/?count=25".to_owned();
            if let Some(token) = &token {
                path.push_str(&format!("&paging_token={token}"));
            }
            let page = api.get(&path).json();
            seen.extend(
                page["results"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|inv| inv["id"].as_str().unwrap().to_owned()),
            );
            match page["metadata"]["next_paging_token"].as_str() {
                Some(next) => token = Some(next.to_owned()),
                None => break,
            }
        }
        reading.store(false, Ordering::Relaxed);
        writer.join().unwrap();
        seen
    });

    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no row was repeated");
    let missing: Vec<&String> = survivors.iter().filter(|id| !unique.contains(id)).collect();
    assert!(
        missing.is_empty(),
        "{} rows that existed throughout were skipped",
        missing.len()
    );
}
