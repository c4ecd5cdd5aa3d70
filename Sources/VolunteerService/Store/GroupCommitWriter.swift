import CoreMetrics
import GRDB
import Synchronization

/// Runs concurrent write operations in shared transactions, so that one fsync makes a
/// whole batch durable (group commit).
///
/// With `synchronous=FULL` a commit costs one fsync (~3.5 ms on the reference disk), which
/// caps single-row commits at ~280/s. Callers instead submit operations here; one drain
/// loop takes everything queued, runs each operation in its own savepoint (a failing
/// operation rolls back alone and gets its own error), commits once, and only then
/// resumes each caller. An acknowledged write is therefore always durable.
final class GroupCommitWriter: Sendable {
  /// One queued operation: `run` executes it inside the batch transaction and keeps its
  /// result; `complete` resumes its caller once the batch commit succeeded or failed.
  private struct Pending: Sendable {
    var run: @Sendable (Database) -> Void
    var complete: @Sendable ((any Error)?) -> Void
  }

  private struct State {
    var queue: [Pending] = []
    var isDraining = false
  }

  private let writer: any DatabaseWriter
  private let maxBatchSize: Int
  private let auditor: any WriteAuditor
  private let metrics: StoreCommitMetrics?
  private let state = Mutex(State())

  /// - Parameters:
  ///   - maxBatchSize: the most operations in one transaction, bounding latency.
  ///   - auditor: brackets each operation inside its savepoint, with the audit context of the
  ///     caller that submitted it: the operation's audit entry commits with it or not at all.
  ///   - metrics: records each batch's size and time to a durable commit.
  init(
    writer: any DatabaseWriter, maxBatchSize: Int = 512, auditor: any WriteAuditor,
    metrics: StoreCommitMetrics? = nil
  ) {
    self.writer = writer
    self.maxBatchSize = maxBatchSize
    self.auditor = auditor
    self.metrics = metrics
  }

  /// Runs `operation` in the next batch and returns its result once the batch is durable.
  func write<T: Sendable>(_ operation: @escaping @Sendable (Database) throws -> T) async throws -> T {
    // Read in the caller's task: the drain loop runs in a task of its own.
    let context = AuditContext.current
    let auditor = self.auditor
    return try await withCheckedThrowingContinuation { continuation in
      let outcome = OutcomeBox<T>()
      let pending = Pending(
        run: { db in
          do {
            var value: T?
            try db.inSavepoint {
              let mark = try auditor.begin(db)
              value = try operation(db)
              try auditor.seal(db, context: context, since: mark)
              return .commit
            }
            outcome.result = value.map { .success($0) }
          } catch {
            outcome.result = .failure(error)
          }
        },
        complete: { commitError in
          if let commitError {
            continuation.resume(throwing: commitError)
          } else if let result = outcome.result {
            continuation.resume(with: result)
          } else {
            continuation.resume(throwing: DatabaseError(message: "write produced no result"))
          }
        }
      )
      let startDrain = self.state.withLock { state in
        state.queue.append(pending)
        if state.isDraining { return false }
        state.isDraining = true
        return true
      }
      if startDrain {
        Task { await self.drain() }
      }
    }
  }

  private func drain() async {
    while true {
      let batch = self.state.withLock { state -> [Pending] in
        if state.queue.isEmpty {
          state.isDraining = false
          return []
        }
        let count = min(state.queue.count, self.maxBatchSize)
        defer { state.queue.removeFirst(count) }
        return Array(state.queue.prefix(count))
      }
      if batch.isEmpty { return }
      let start = ContinuousClock.now
      do {
        try await self.writer.write { db in
          for pending in batch { pending.run(db) }
        }
        if let metrics = self.metrics {
          metrics.batchSize.record(batch.count)
          metrics.duration.recordNanoseconds(ServiceMetrics.nanoseconds(ContinuousClock.now - start))
        }
        for pending in batch { pending.complete(nil) }
      } catch {
        self.metrics?.failures.increment()
        for pending in batch { pending.complete(error) }
      }
    }
  }
}

/// Records what each write operation changed, in the operation's own savepoint.
protocol WriteAuditor: Sendable {
  /// Called before the operation; returns a mark that ``seal(_:context:since:)`` gets.
  func begin(_ db: Database) throws -> Int64
  /// Called after the operation succeeded: records what it changed since `mark`.
  func seal(_ db: Database, context: AuditContext?, since mark: Int64) throws
}

/// Carries one operation's result from the writer's thread to its caller. Written once
/// inside the batch transaction, read once after the commit: the database queue orders
/// the two, so no lock is needed.
private final class OutcomeBox<T: Sendable>: @unchecked Sendable {
  var result: Result<T, any Error>?
}
