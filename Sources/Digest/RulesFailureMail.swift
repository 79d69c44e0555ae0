import Foundation

/// The e-mail telling a cluster's staff that tonight their rules file could not be read: where (`file:line:col`
/// and the linter's message), that no member got a digest tonight, and that the night after the file is fixed
/// catches up (the cluster's notices are routed again over everything stored, and nothing of tonight's is
/// marked as sent).
public enum RulesFailureMail {
    /// Subject and plain-text body, in French.
    ///
    /// - Parameters:
    ///   - clusterName: the cluster's name as of the last night its rules loaded.
    ///   - file: the rules file.
    ///   - errors: the linter's messages, each `file:line:col: error: …`.
    ///   - night: the run's date.
    public static func content(
        clusterName: String, file: String, errors: [String], night: Date
    ) -> (subject: String, text: String) {
        let subject = "Veille \(clusterName) — fichier de règles illisible, aucun digest envoyé cette nuit"
        let shown = errors.prefix(10)
        var text = """
            Bonjour,

            Cette nuit (\(FrenchFormat.date(night))), Vigie n'a pas pu lire le fichier de règles du pôle \
            \(clusterName) :

                \(file)

            """
        text += "\n" + (shown.count == 1 ? "L'erreur :" : "Les erreurs :") + "\n\n"
        for e in shown { text += "    \(e)\n" }
        if errors.count > shown.count {
            text += "    … et \(errors.count - shown.count) autre(s) : `vigie rules lint` les liste toutes.\n"
        }
        text += """

            Conséquence : aucun digest n'est parti cette nuit vers les adhérents du pôle ni vers l'équipe. Les \
            autres pôles ont été servis normalement.

            Rien n'est perdu : corrigez le fichier (la ligne indiquée ci-dessus ; `vigie rules lint` vérifie la \
            correction), et la nuit suivante Vigie reprend tous les avis enregistrés pour ce pôle : les adhérents \
            recevront alors ce qu'ils auraient dû recevoir cette nuit.

            Ce message est envoyé à l'équipe du pôle telle qu'elle figurait dans le fichier la dernière nuit où il \
            a pu être lu.

            — Vigie

            """
        return (subject, text)
    }
}
