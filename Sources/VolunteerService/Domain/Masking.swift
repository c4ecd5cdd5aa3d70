/// Masking of sensitive personal information for every role but an authorised admin.
///
/// Identity document numbers, phone numbers and real names are shown masked (DOMAIN: first 3
/// and last 4 characters of an identifier visible). All functions work on `Character`s (grapheme
/// clusters), so Chinese names and combined characters are never split.
public enum Masking {
  /// Masks an identifier such as a document or phone number.
  ///
  /// Shows the first 3 and last 4 characters and replaces each character in between with `*`
  /// (`110105194912310021` → `110***********0021`). Strings of 7 or fewer characters would be
  /// revealed whole by that rule, so they show only the last character (`ABC1234` → `******4`);
  /// a single character is masked entirely.
  public static func maskIdentifier(_ s: String) -> String {
    let characters = Array(s)
    switch characters.count {
    case 0:
      return ""
    case 1:
      return "*"
    case 2...7:
      return stars(characters.count - 1) + String(characters[characters.count - 1])
    default:
      return String(characters.prefix(3)) + stars(characters.count - 7)
        + String(characters.suffix(4))
    }
  }

  /// Masks a real name: `*` for one character, first character kept for two (`张三` → `张*`),
  /// first and last kept for three or more (`欧阳娜娜` → `欧**娜`).
  public static func maskName(_ name: String) -> String {
    let characters = Array(name)
    switch characters.count {
    case 0:
      return ""
    case 1:
      return "*"
    case 2:
      return String(characters[0]) + "*"
    default:
      return String(characters[0]) + stars(characters.count - 2)
        + String(characters[characters.count - 1])
    }
  }

  /// `count` asterisks.
  private static func stars(_ count: Int) -> String {
    String(repeating: "*", count: count)
  }
}
