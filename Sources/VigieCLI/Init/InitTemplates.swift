// What `vigie init` writes besides the catalogue: a cluster file to fill in, the environment file, a README for
// the cluster's IT person. French, like the digests: the people who fill them in are the cluster's staff.

enum InitTemplates {
    /// The cluster file, for `id` and `name`. It lints clean as written (`vigie rules lint`): a new cluster can run
    /// its first night before the real members are typed in, and never edits the repository's examples.
    static func cluster(id: String, name: String) -> String {
        let domain = "\(id).example.org"
        return """
            # \(name) — règles de veille de Vigie (un fichier par pôle ; le nom du fichier est libre).
            #
            # À REMPLIR : chaque ligne marquée « À REMPLIR ». Les adresses en example.org ne reçoivent rien.
            # Vérifier après chaque modification :   vigie rules lint rules/
            # La référence complète (toutes les clés, leur sens) : Rules/README.md du dépôt de Vigie.
            cluster:
              id: \(id)                 # identifiant : minuscules, chiffres, - et _ ; nomme le dossier des digests
              name: "\(name)"           # À REMPLIR : le nom du pôle tel que les adhérents le lisent
              language: fr
              territory:
                departements: ["42"]    # À REMPLIR : départements du pôle, entre guillemets ("01" et non 1)
                regions: [FRK]          # À REMPLIR : région NUTS-1 (FRK) ou NUTS-2 (FRK2)
              routing:
                scope: departements     # departements | region | national | europe
                max_distance: 2         # départements d'écart admis entre un site d'adhérent et le lieu d'exécution
                min_lead_days: 5        # ignorer les avis dont la date limite est à moins de 5 jours
                min_score: 2            # indices nécessaires (un mot-clé du titre compte 3, du résumé 1,5)
              delivery:
                # Qui envoie et qui reçoit les courriels. Sans « sender », rien n'est envoyé (les fichiers sont écrits).
                sender: "\(name) — veille <veille@\(domain)>"        # À REMPLIR : l'expéditeur (De :)
                reply_to: "Prénom Nom <prenom.nom@\(domain)>"        # À REMPLIR : qui répond aux adhérents
                staff:                                               # À REMPLIR : l'équipe, qui reçoit le digest complet
                  - "Prénom Nom <prenom.nom@\(domain)>"
                  - "veille@\(domain)"
                # formats: [html, md, ics]    # formats des fichiers écrits (défaut : les six, html md json ics atom csv)
                # member_files: unmailed      # all (défaut) | unmailed : seulement les adhérents sans courriel | none

            # La chaîne de valeur du pôle : un segment par métier. Deux exemples à remplacer.
            segments:
              - id: usinage                                      # À REMPLIR : identifiant du métier
                label: Usinage et mécanique de précision         # À REMPLIR : son nom dans les digests
                keywords: [usinage, décolletage, "pièces usinées", "mécanique de précision"]  # mots et expressions ; * seulement en fin de mot
                exclusions: ["usinage du bois"]                  # un seul de ces mots écarte le segment
                cpv: ["42612"]                                   # codes CPV (préfixes de 2 à 8 chiffres)
                supplies: [maintenance]                          # segments en aval que celui-ci fournit

              - id: maintenance
                label: Maintenance industrielle
                keywords: ["maintenance industrielle", rétrofit, "remise en état"]
                exclusions: ["maintenance informatique"]
                cpv: ["5053"]

            # Les adhérents : un bloc par entreprise. Deux exemples à remplacer.
            members:
              - id: entreprise-exemple-a                         # À REMPLIR : identifiant de l'adhérent
                name: Entreprise exemple A                       # À REMPLIR : raison sociale
                segments: [usinage]                              # ses métiers (ids des segments ci-dessus)
                sites: ["42000"]                                 # codes postaux ou départements de ses sites
                capacity: 800k                                   # le plus gros marché qu'elle porte seule (800k, 1.5M)
                contact: contact@entreprise-a.\(domain)          # À REMPLIR : qui reçoit son digest (une adresse ou une liste)

              - id: entreprise-exemple-b
                name: Entreprise exemple B
                segments: [maintenance]
                sites: ["42100"]
                capacity: 1.5M
                contact: [achats@entreprise-b.\(domain), devis@entreprise-b.\(domain)]

            """
    }

    /// `vigie.env.example`: the variables cron or systemd must pass to `vigie`.
    static func environment(clusterID: String, keyed: [(variable: String, source: String)]) -> String {
        var s = """
            # Variables d'environnement de Vigie : copier ce fichier en vigie.env (droits 600, hors du dépôt),
            # le remplir, et le donner au service (systemd : EnvironmentFile=… ; cron : `set -a; . vigie.env`).

            # Serveur d'envoi (SMTP) : smtp://utilisateur@hôte:587 (STARTTLS si le serveur le propose) ou smtps://…:465.
            # Un @ dans l'utilisateur s'écrit %40. Sans cette variable, `vigie run --send` refuse de partir.
            VIGIE_SMTP_URL=smtp://veille%40\(clusterID).example.org@smtp.example.org:587
            # Le mot de passe du compte SMTP (jamais dans l'URL).
            VIGIE_SMTP_PASSWORD=
            # Si le relais présente un certificat d'une autorité privée : le fichier PEM de cette autorité.
            #VIGIE_SMTP_CA_FILE=/etc/ssl/certs/mon-autorite.pem

            # Clés des sources qui en demandent une (feeds/*.yaml, « enabled: false » tant que la clé manque).

            """
        for k in keyed { s += "# \(k.source)\n\(k.variable)=\n" }
        s +=
            "\n# Niveau des journaux sur stderr : trace, debug, info (défaut), notice, warning, error.\n#VIGIE_LOG_LEVEL=info\n"
        return s
    }

    /// `README.md` of the folder.
    static func readme(directory: String, clusterFile: String, keyed: [(variable: String, source: String)]) -> String {
        let keys = keyed.map { "`\($0.variable)` (\($0.source))" }.joined(separator: ", ")
        return """
            # Configuration de Vigie

            Ce dossier a été créé par `vigie init`. Il contient tout ce qu'il faut à Vigie pour la veille d'un pôle :
            les exemples du dépôt (`Rules/`, `Feeds/demo.yaml`) ne servent qu'à la démonstration et ne sont pas à
            modifier.

            | fichier | ce que c'est | à faire |
            |---|---|---|
            | `rules/\(clusterFile)` | le pôle : territoire, expéditeur et équipe, métiers (segments), adhérents | remplir les lignes « À REMPLIR » |
            | `feeds/*.yaml` | les sources publiques interrogées chaque nuit (BOAMP, TED, DECP, Funding & Tenders…) | rien ; une source à clé reste `enabled: false` tant que sa clé n'est pas donnée |
            | `vigie.env.example` | les variables d'environnement : serveur d'envoi, mot de passe, clés des sources | copier en `vigie.env`, remplir, protéger (`chmod 600`) |

            Sources à clé : \(keys.isEmpty ? "aucune" : keys). Pour en activer une : mettre la clé dans `vigie.env`
            et passer `enabled: false` à `enabled: true` dans son fichier.

            ## Les cinq commandes à essayer

            ```sh
            # 1. Le fichier du pôle est-il correct ? (erreurs et avertissements avec fichier:ligne:colonne)
            vigie rules lint \(directory)/rules

            # 2. Les sources sont-elles bien décrites ?
            vigie sources check --feeds \(directory)/feeds

            # 3. La première nuit : tout est récupéré, enregistré, routé, les digests sont écrits, AUCUN courriel
            #    n'est envoyé (automatique sur un magasin neuf ; --days-back N règle la profondeur en jours).
            vigie run --feeds \(directory)/feeds --rules \(directory)/rules --store /var/lib/vigie/vigie.sqlite \\
                --out /var/lib/vigie/digests --first-night

            # 4. Les nuits suivantes : seuls les avis nouveaux sont envoyés (l'équipe, chaque adhérent concerné).
            set -a; . ./vigie.env; set +a
            vigie run --feeds \(directory)/feeds --rules \(directory)/rules --store /var/lib/vigie/vigie.sqlite \\
                --out /var/lib/vigie/digests --send

            # 5. Renvoyer ce que le serveur de courriel a différé (sans rien envoyer deux fois).
            vigie send --store /var/lib/vigie/vigie.sqlite
            ```

            Après la première nuit, lire les digests de l'équipe (`/var/lib/vigie/digests/<pôle>/`) et ceux de chaque
            adhérent (`…/adherents/<adhérent>/`) : si un adhérent reçoit trop ou trop peu, ajuster ses segments,
            ses mots-clés ou ses exclusions, puis `vigie rules lint` de nouveau.

            Si le fichier du pôle devient illisible (une faute de frappe YAML), la nuit continue pour les autres
            pôles, `vigie run` sort en code 1 en nommant fichier:ligne, et l'équipe reçoit un courriel qui le dit ;
            la nuit qui suit la correction rattrape tout.

            """
    }
}
