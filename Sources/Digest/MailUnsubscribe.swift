import Foundation

extension DigestMailContent {
    /// The subject of the message a member's mail client writes to the staff from the `List-Unsubscribe`
    /// link: the staff read it, so it says which watch to stop.
    public static func unsubscribeSubject(clusterName: String) -> String {
        "Désinscription de la veille \(clusterName)"
    }
}
