import WireProtocol

/// A list request that continues from a server-issued page token.
protocol PagedRequest {
  var pageToken: String { get set }
}

/// A list response: one page, and the token of the next (empty on the last).
protocol PagedResponse {
  var nextPageToken: String { get set }
  /// Adds `page`'s items after this response's own.
  mutating func appendItems(of page: Self)
}

/// Calls `fetch` for the first page and then for every next page, and returns the first
/// response holding every item, so a command never shows a silently truncated list.
func readAllPages<Request: PagedRequest, Response: PagedResponse>(
  _ request: Request, _ fetch: (Request) async throws -> Response
) async throws -> Response {
  var request = request
  var all = try await fetch(request)
  while !all.nextPageToken.isEmpty {
    request.pageToken = all.nextPageToken
    let page = try await fetch(request)
    all.appendItems(of: page)
    all.nextPageToken = page.nextPageToken
  }
  return all
}

extension Volunteer_V1_ListRecordsRequest: PagedRequest {}
extension Volunteer_V1_ListActivitiesRequest: PagedRequest {}

extension Volunteer_V1_ListRecordsResponse: PagedResponse {
  mutating func appendItems(of page: Self) { self.records += page.records }
}

extension Volunteer_V1_ListActivitiesResponse: PagedResponse {
  mutating func appendItems(of page: Self) { self.activities += page.activities }
}
