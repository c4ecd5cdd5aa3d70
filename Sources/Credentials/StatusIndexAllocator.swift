/// Picks a random unused index in a status list, so a credential's position reveals nothing
/// about when it was issued or who else was issued one (the W3C privacy recommendation).
///
/// The generator is injectable for tests; in production use `SystemRandomNumberGenerator`,
/// which draws from the operating system's CSPRNG.
public enum StatusIndexAllocator {
  /// Returns an index in `0..<size` for which `isUsed` is false.
  ///
  /// Tries up to 64 uniform random picks, then scans from a random start so a nearly full
  /// list still terminates. The caller must record the index as used atomically with issuing
  /// the credential (e.g. a unique constraint) and retry on conflict.
  public static func allocate<Generator: RandomNumberGenerator>(
    size: Int,
    using generator: inout Generator,
    isUsed: (Int) throws -> Bool
  ) throws -> Int {
    guard size > 0 else { throw StatusListError.full(size: size) }
    for _ in 0..<64 {
      let candidate = Int.random(in: 0..<size, using: &generator)
      if try !isUsed(candidate) { return candidate }
    }
    let start = Int.random(in: 0..<size, using: &generator)
    for offset in 0..<size {
      let candidate = (start + offset) % size
      if try !isUsed(candidate) { return candidate }
    }
    throw StatusListError.full(size: size)
  }

  /// Convenience with the system CSPRNG and a set of used indexes.
  public static func allocate(size: Int, used: Set<Int>) throws(StatusListError) -> Int {
    var generator = SystemRandomNumberGenerator()
    do {
      return try allocate(size: size, using: &generator) { used.contains($0) }
    } catch let error as StatusListError {
      throw error
    } catch {
      throw .full(size: size)
    }
  }
}
