//! Many clients at once: the database keeps one pending invitation per address.

use std::collections::HashSet;

use testkit::{Api, TestServer};

#[test]
fn overlapping_parallel_batches_create_each_address_exactly_once() {
    let server = TestServer::start();
    let pool: Vec<String> = (0..120).map(|i| format!("person{i}@example.com")).collect();
    let clients = 8;
    let successes: usize = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients)
            .map(|client| {
                let server = &server;
                let pool = &pool;
                scope.spawn(move || {
                    let api = Api::new(server);
                    // Each client sends the whole pool, rotated and in mixed case, in batches.
                    let mine: Vec<String> = pool
                        .iter()
                        .cycle()
                        .skip(client * 15)
                        .take(pool.len())
                        .map(|email| {
                            if client % 2 == 0 {
                                email.clone()
                            } else {
                                email.to_uppercase()
                            }
                        })
                        .collect();
                    let mut created = 0;
                    for chunk in mine.chunks(40) {
                        let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
                        for result in api.invite(&refs) {
                            match result["status"].as_u64() {
                                Some(200) => created += 1,
                                Some(409) => assert!(
                                    result["error"]["detail"]
                                        .as_str()
                                        .unwrap()
                                        .starts_with("Invitation already exists for ")
                                ),
                                other => panic!("unexpected status {other:?}: {result}"),
                            }
                        }
                    }
                    created
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().unwrap())
            .sum()
    });
    assert_eq!(
        successes,
        pool.len(),
        "one success per address across all clients"
    );

    let listed = Api::new(&server).list_all("count=1000");
    assert_eq!(listed.len(), pool.len());
    let distinct: HashSet<String> = listed
        .iter()
        .map(|inv| inv["email"].as_str().unwrap().to_lowercase())
        .collect();
    assert_eq!(distinct.len(), pool.len());
}

/// Group commit: concurrent writes share transactions, and still every acknowledged one is on
/// disk the moment it is acknowledged, as a SIGKILL right after the last answer shows.
#[test]
fn every_acknowledged_write_of_many_concurrent_clients_survives_sigkill() {
    let temp = tempfile::tempdir().unwrap();
    let options = testkit::ServerOptions {
        data_dir: Some(temp.path().join("data")),
        ..Default::default()
    };
    let server = TestServer::start_with(options.clone());
    let acknowledged: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..16)
            .map(|client| {
                let server = &server;
                scope.spawn(move || {
                    let api = Api::new(server);
                    (0..20)
                        .filter_map(|n| {
                            let email = format!("c{client}-n{n}@example.com");
                            api.invite(&[email.as_str()])[0]["data"]["id"]
                                .as_str()
                                .map(str::to_owned)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| handle.join().unwrap())
            .collect()
    });
    assert_eq!(acknowledged.len(), 16 * 20, "every create was acknowledged");
    server.kill_hard();

    let restarted = TestServer::start_with(options);
    let stored: HashSet<String> = Api::new(&restarted)
        .list_all("")
        .into_iter()
        .filter_map(|invitation| invitation["id"].as_str().map(str::to_owned))
        .collect();
    let missing: Vec<&String> = acknowledged
        .iter()
        .filter(|id| !stored.contains(*id))
        .collect();
    assert!(missing.is_empty(), "lost after SIGKILL: {missing:?}");
}
