<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>ActiveUsersWindow</name>
    <message>
        <source>Active Users</source>
        <translation>Aktive Benutzer</translation>
    </message>
    <message>
        <source>Filter…</source>
        <translation>Filtern…</translation>
    </message>
    <message>
        <source>Sessions</source>
        <translation>Sitzungen</translation>
    </message>
    <message>
        <source>&amp;Properties…</source>
        <translation>&amp;Eigenschaften…</translation>
    </message>
    <message>
        <source>The selected session&apos;s details (Enter)</source>
        <translation>Die Einzelheiten der gewählten Sitzung (Eingabe)</translation>
    </message>
    <message>
        <source>&amp;Disconnect…</source>
        <translation>&amp;Trennen…</translation>
    </message>
    <message>
        <source>End the selected sessions (Delete): their programs log out within a minute</source>
        <translation>Die gewählten Sitzungen beenden (Entf): Ihre Programme melden sich innerhalb einer Minute ab</translation>
    </message>
    <message numerus="yes">
        <source>%n active session(s)</source>
        <translation>
            <numerusform>%n aktive Sitzung</numerusform>
            <numerusform>%n aktive Sitzungen</numerusform>
        </translation>
    </message>
    <message>
        <source>{user} ({program} on {host})</source>
        <translation>{user} ({program} auf {host})</translation>
    </message>
    <message>
        <source>{names} and {count} more</source>
        <translation>{names} und {count} weitere</translation>
    </message>
    <message>
        <source>Its program logs out at its next heartbeat, within a minute, and tells the user an administrator ended the session.</source>
        <translation>Ihr Programm meldet sich beim nächsten Lebenszeichen ab, innerhalb einer Minute, und sagt dem Benutzer, dass ein Administrator die Sitzung beendet hat.</translation>
    </message>
    <message>
        <source>Their programs log out at their next heartbeat, within a minute, and tell their users an administrator ended the session.</source>
        <translation>Ihre Programme melden sich beim nächsten Lebenszeichen ab, innerhalb einer Minute, und sagen ihren Benutzern, dass ein Administrator die Sitzung beendet hat.</translation>
    </message>
    <message>
        <source>Disconnect</source>
        <translation>Trennen</translation>
    </message>
    <message>
        <source>Disconnect {names}?</source>
        <translation>{names} trennen?</translation>
    </message>
    <message>
        <source>&amp;Disconnect</source>
        <translation>&amp;Trennen</translation>
    </message>
    <message>
        <source>Some sessions were not ended.</source>
        <translation>Einige Sitzungen wurden nicht beendet.</translation>
    </message>
</context>
<context>
    <name>AuditLogWindow</name>
    <message>
        <source>Audit Log</source>
        <translation>Prüfprotokoll</translation>
    </message>
    <message>
        <source>Words as shown, or part of a User-ID, host or detail…</source>
        <translation>Wörter wie angezeigt, oder Teil einer Benutzerkennung, eines Rechners oder der Einzelheiten…</translation>
    </message>
    <message>
        <source>&amp;Verify Whole Log</source>
        <translation>Ganzes Protokoll &amp;prüfen</translation>
    </message>
    <message>
        <source>Audit events</source>
        <translation>Protokollereignisse</translation>
    </message>
    <message>
        <source>Finds events whose words, User-ID, detail, actor, program or host hold this text (3 characters or more as you type; Enter searches for fewer).</source>
        <translation>Findet Ereignisse, deren Wörter, Benutzerkennung, Einzelheiten, Ausführender, Programm oder Rechner diesen Text enthalten (ab 3 Zeichen beim Tippen; Eingabe sucht auch nach weniger).</translation>
    </message>
    <message>
        <source>Fi&amp;lter:</source>
        <translation>Fi&amp;lter:</translation>
    </message>
    <message>
        <source>any</source>
        <translation>beliebig</translation>
    </message>
    <message>
        <source>Only the events of this User-ID (exactly as written)</source>
        <translation>Nur die Ereignisse dieser Benutzerkennung (genau wie geschrieben)</translation>
    </message>
    <message>
        <source>&amp;User-ID:</source>
        <translation>Ben&amp;utzerkennung:</translation>
    </message>
    <message>
        <source>&amp;Failures only</source>
        <translation>Nur &amp;Fehlschläge</translation>
    </message>
    <message>
        <source>Refused logons, revoked User-IDs, rejected codes and records changed outside TapeMaster</source>
        <translation>Verweigerte Anmeldungen, gesperrte Benutzerkennungen, abgelehnte Codes und außerhalb von TapeMaster geänderte Datensätze</translation>
    </message>
    <message>
        <source>&amp;OTP events only</source>
        <translation>Nur &amp;OTP-Ereignisse</translation>
    </message>
    <message>
        <source>One Time Password events: switched on or off, QR code shown, activated, wrong or missing codes, codes used twice</source>
        <translation>Einmalpasswort-Ereignisse: ein- oder ausgeschaltet, QR-Code gezeigt, aktiviert, falsche oder fehlende Codes, doppelt verwendete Codes</translation>
    </message>
    <message>
        <source>Fro&amp;m:</source>
        <translation>Vo&amp;n:</translation>
    </message>
    <message>
        <source>&amp;To:</source>
        <translation>&amp;Bis:</translation>
    </message>
    <message>
        <source>Only events on or after this day</source>
        <translation>Nur Ereignisse an oder nach diesem Tag</translation>
    </message>
    <message>
        <source>Only events on or before this day</source>
        <translation>Nur Ereignisse an oder vor diesem Tag</translation>
    </message>
    <message>
        <source>&amp;Export CSV…</source>
        <translation>CSV e&amp;xportieren…</translation>
    </message>
    <message>
        <source>Write the events the filters select to a CSV file</source>
        <translation>Die von den Filtern gewählten Ereignisse in eine CSV-Datei schreiben</translation>
    </message>
    <message>
        <source>Failure: a refused logon, a revoked User-ID, a rejected One Time Password or a record changed outside TapeMaster. The event as recorded is in each tooltip.</source>
        <translation>Fehlschlag: eine verweigerte Anmeldung, eine gesperrte Benutzerkennung, ein abgelehntes Einmalpasswort oder ein außerhalb von TapeMaster geänderter Datensatz. Das Ereignis, wie festgehalten, steht in jedem Tooltip.</translation>
    </message>
    <message>
        <source>{which} date</source>
        <translation>Datum {which}</translation>
    </message>
    <message>
        <source>Hash chain intact (every row checked against the sealed head).</source>
        <translation>Hash-Kette intakt (jede Zeile gegen den versiegelten Kopf geprüft).</translation>
    </message>
    <message>
        <source>Hash chain intact (its newest rows and its end checked against the sealed head).</source>
        <translation>Hash-Kette intakt (ihre neuesten Zeilen und ihr Ende gegen den versiegelten Kopf geprüft).</translation>
    </message>
    <message>
        <source>The audit log was changed outside TapeMaster: {problem}.</source>
        <translation>Das Prüfprotokoll wurde außerhalb von TapeMaster geändert: {problem}.</translation>
    </message>
    <message numerus="yes">
        <source>The whole audit log is intact: %n event(s) checked.</source>
        <translation>
            <numerusform>Das ganze Prüfprotokoll ist intakt: %n Ereignis geprüft.</numerusform>
            <numerusform>Das ganze Prüfprotokoll ist intakt: %n Ereignisse geprüft.</numerusform>
        </translation>
    </message>
    <message>
        <source>Type {count} characters or more to search as you type, or press Enter to search for a shorter text.</source>
        <translation>Tippen Sie {count} oder mehr Zeichen, um beim Tippen zu suchen, oder drücken Sie die Eingabetaste, um nach einem kürzeren Text zu suchen.</translation>
    </message>
    <message>
        <source>No events match the filters.</source>
        <translation>Keine Ereignisse passen zu den Filtern.</translation>
    </message>
    <message>
        <source>The audit log is empty.</source>
        <translation>Das Prüfprotokoll ist leer.</translation>
    </message>
    <message>
        <source>{count}+ events match the filters — scroll for older</source>
        <translation>{count}+ Ereignisse passen zu den Filtern — für ältere blättern</translation>
    </message>
    <message>
        <source>{count}+ events — scroll for older</source>
        <translation>{count}+ Ereignisse — für ältere blättern</translation>
    </message>
    <message numerus="yes">
        <source>%n event(s) match the filters</source>
        <translation>
            <numerusform>%n Ereignis passt zu den Filtern</numerusform>
            <numerusform>%n Ereignisse passen zu den Filtern</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n event(s)</source>
        <translation>
            <numerusform>%n Ereignis</numerusform>
            <numerusform>%n Ereignisse</numerusform>
        </translation>
    </message>
    <message>
        <source>Only the events of {user}</source>
        <translation>Nur die Ereignisse von {user}</translation>
    </message>
    <message>
        <source>Export Audit Log</source>
        <translation>Prüfprotokoll exportieren</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV-Dateien (*.csv)</translation>
    </message>
    <message numerus="yes">
        <source>Exported %n event(s) to {path}.</source>
        <translation>
            <numerusform>%n Ereignis nach {path} exportiert.</numerusform>
            <numerusform>%n Ereignisse nach {path} exportiert.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>AuditModel</name>
    <message>
        <source>{event} (a failure)</source>
        <translation>{event} (ein Fehlschlag)</translation>
    </message>
    <message>
        <source>Failure</source>
        <translation>Fehlschlag</translation>
    </message>
    <message>
        <source>As recorded: {detail}</source>
        <translation>Wie festgehalten: {detail}</translation>
    </message>
</context>
<context>
    <name>Controller</name>
    <message>
        <source>Another program set the tapemaster password first. Log on with that password.</source>
        <translation>Ein anderes Programm hat das Passwort von tapemaster zuerst gesetzt. Melden Sie sich mit diesem Passwort an.</translation>
    </message>
    <message>
        <source>The tapemaster password is set. Log on with it now.</source>
        <translation>Das Passwort von tapemaster ist gesetzt. Melden Sie sich jetzt damit an.</translation>
    </message>
    <message>
        <source>One Time Password</source>
        <translation>Einmalpasswort</translation>
    </message>
    <message>
        <source>One Time Password activated.</source>
        <translation>Einmalpasswort aktiviert.</translation>
    </message>
    <message>
        <source>From now on every logon to TapeMaster, Checkpoint and Lite needs your User-ID, your password and the code from your authenticator app.</source>
        <translation>Ab jetzt braucht jede Anmeldung bei TapeMaster, Checkpoint und Lite Ihre Benutzerkennung, Ihr Passwort und den Code aus Ihrer Authenticator-App.</translation>
    </message>
    <message>
        <source>You logged on with a recovery code. You have {left}.</source>
        <translation>Sie haben sich mit einem Wiederherstellungscode angemeldet. Sie haben {left}.</translation>
    </message>
    <message>
        <source>Move to a New &amp;Phone…</source>
        <translation>Auf ein neues &amp;Telefon umziehen…</translation>
    </message>
    <message>
        <source>New &amp;Recovery Codes…</source>
        <translation>Neue &amp;Wiederherstellungscodes…</translation>
    </message>
    <message>
        <source>Not Now</source>
        <translation>Nicht jetzt</translation>
    </message>
    <message>
        <source>Lost or replaced your phone? Move your One Time Password to the new phone now. Running low on codes, or someone may have seen them? Make new ones. Either way, no second code is needed now.</source>
        <translation>Telefon verloren oder ersetzt? Ziehen Sie Ihr Einmalpasswort jetzt auf das neue Telefon um. Gehen die Codes zur Neige, oder könnte sie jemand gesehen haben? Erstellen Sie neue. In beiden Fällen ist jetzt kein zweiter Code nötig.</translation>
    </message>
    <message numerus="yes">
        <source>You were logged out after %n minute(s) without activity.</source>
        <translation>
            <numerusform>Sie wurden nach %n Minute ohne Aktivität abgemeldet.</numerusform>
            <numerusform>Sie wurden nach %n Minuten ohne Aktivität abgemeldet.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The user store cannot be reached; trying again every %n second(s). You are still logged on.</source>
        <translation>
            <numerusform>Die Benutzerdatenbank ist nicht erreichbar; neuer Versuch nach %n Sekunde. Sie sind weiter angemeldet.</numerusform>
            <numerusform>Die Benutzerdatenbank ist nicht erreichbar; neuer Versuch alle %n Sekunden. Sie sind weiter angemeldet.</numerusform>
        </translation>
    </message>
    <message>
        <source>The store key was replaced by a different key while this program was running.</source>
        <translation>Der Schlüssel der Benutzerdatenbank wurde während der Laufzeit dieses Programms durch einen anderen ersetzt.</translation>
    </message>
    <message>
        <source>One Time Password secrets made from now on could not be read by other programs. Close TapeMaster Qt everywhere and ask your administrator to restore the store&apos;s own key.</source>
        <translation>Ab jetzt erzeugte Einmalpasswort-Geheimnisse könnten andere Programme nicht lesen. Schließen Sie TapeMaster Qt überall und bitten Sie Ihren Administrator, den eigenen Schlüssel der Benutzerdatenbank wiederherzustellen.</translation>
    </message>
    <message>
        <source>The store key has disappeared from where this program read it.</source>
        <translation>Der Schlüssel der Benutzerdatenbank ist dort verschwunden, wo dieses Programm ihn gelesen hat.</translation>
    </message>
    <message>
        <source>It protects every One Time Password secret: once the last program holding it closes, enrolled users cannot log on. This program still holds it. Write it back now?</source>
        <translation>Er schützt jedes Einmalpasswort-Geheimnis: Sobald das letzte Programm, das ihn hält, beendet wird, können sich eingerichtete Benutzer nicht mehr anmelden. Dieses Programm hält ihn noch. Jetzt zurückschreiben?</translation>
    </message>
    <message>
        <source>&amp;Write It Back</source>
        <translation>&amp;Zurückschreiben</translation>
    </message>
    <message>
        <source>The store key was written back to the {where}.</source>
        <translation>Der Schlüssel der Benutzerdatenbank wurde zurückgeschrieben: {where}.</translation>
    </message>
    <message>
        <source>The log out of {user} at {time} UTC could not be recorded in the user store.</source>
        <translation>Die Abmeldung von {user} um {time} UTC konnte nicht in der Benutzerdatenbank festgehalten werden.</translation>
    </message>
    <message>
        <source>The store refused the write (for example, its disk is full). Active Users shows the session until it is cleaned up as stale, a few minutes after this program closes.</source>
        <translation>Die Benutzerdatenbank hat das Schreiben verweigert (zum Beispiel, weil ihr Datenträger voll ist). „Aktive Benutzer“ zeigt die Sitzung, bis sie wenige Minuten nach dem Beenden dieses Programms als verwaist entfernt wird.</translation>
    </message>
</context>
<context>
    <name>FirstRunDialog</name>
    <message>
        <source>{program} — First Run</source>
        <translation>{program} — Ersteinrichtung</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Passwort</translation>
    </message>
    <message>
        <source>Password (again)</source>
        <translation>Passwort (wiederholen)</translation>
    </message>
    <message>
        <source>The password needs {min} to {max} characters and must not be the User-ID. A passphrase of a few words is easy to type and hard to guess.</source>
        <translation>Das Passwort braucht {min} bis {max} Zeichen und darf nicht die Benutzerkennung sein. Eine Passphrase aus einigen Wörtern ist leicht einzugeben und schwer zu erraten.</translation>
    </message>
    <message>
        <source>Store: {location}</source>
        <translation>Benutzerdatenbank: {location}</translation>
    </message>
    <message>
        <source>User-ID:</source>
        <translation>Benutzerkennung:</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>&amp;Passwort:</translation>
    </message>
    <message>
        <source>Password (&amp;again):</source>
        <translation>Passwort (&amp;wiederholen):</translation>
    </message>
    <message>
        <source>This is a new user store. Choose the password of the built-in tapemaster user: the administrator who adds every other user.</source>
        <translation>Dies ist eine neue Benutzerdatenbank. Wählen Sie das Passwort des eingebauten Benutzers tapemaster: des Administrators, der alle anderen Benutzer anlegt.</translation>
    </message>
    <message>
        <source>The two passwords are not the same.</source>
        <translation>Die beiden Passwörter stimmen nicht überein.</translation>
    </message>
</context>
<context>
    <name>GroupDialog</name>
    <message>
        <source>Add Group</source>
        <translation>Gruppe hinzufügen</translation>
    </message>
    <message>
        <source>Group Properties — {group}</source>
        <translation>Gruppeneigenschaften — {group}</translation>
    </message>
    <message>
        <source>&amp;Group-ID:</source>
        <translation>&amp;Gruppenkennung:</translation>
    </message>
    <message>
        <source>&amp;Description:</source>
        <translation>&amp;Beschreibung:</translation>
    </message>
    <message>
        <source>Users:</source>
        <translation>Benutzer:</translation>
    </message>
    <message>
        <source>1 to 10 letters or digits.</source>
        <translation>1 bis 10 Buchstaben oder Ziffern.</translation>
    </message>
    <message>
        <source>The Group-ID cannot be changed; the description can.</source>
        <translation>Die Gruppenkennung ist nicht änderbar, die Beschreibung schon.</translation>
    </message>
    <message>
        <source>Discard the new group?</source>
        <translation>Die neue Gruppe verwerfen?</translation>
    </message>
    <message>
        <source>Discard your changes to group {group}?</source>
        <translation>Ihre Änderungen an der Gruppe {group} verwerfen?</translation>
    </message>
    <message>
        <source>Not saved yet: {fields}.</source>
        <translation>Noch nicht gespeichert: {fields}.</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>Verwerfen</translation>
    </message>
</context>
<context>
    <name>GroupUserAdministration</name>
    <message>
        <source>Group/User Administration</source>
        <translation>Gruppen-/Benutzerverwaltung</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>Filter users (any column)…</source>
        <translation>Benutzer filtern (jede Spalte)…</translation>
    </message>
    <message>
        <source>&amp;Filter:</source>
        <translation>&amp;Filter:</translation>
    </message>
    <message>
        <source>Groups</source>
        <translation>Gruppen</translation>
    </message>
    <message>
        <source>Add Group…</source>
        <translation>Gruppe hinzufügen…</translation>
    </message>
    <message>
        <source>Properties…</source>
        <translation>Eigenschaften…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <source>Enter or a double-click opens a group&apos;s properties; Del deletes an empty group.</source>
        <translation>Eingabe oder ein Doppelklick öffnet die Eigenschaften einer Gruppe; Entf löscht eine leere Gruppe.</translation>
    </message>
    <message>
        <source>&amp;Add…</source>
        <translation>&amp;Hinzufügen…</translation>
    </message>
    <message>
        <source>Add a user</source>
        <translation>Einen Benutzer hinzufügen</translation>
    </message>
    <message>
        <source>&amp;Properties</source>
        <translation>&amp;Eigenschaften</translation>
    </message>
    <message>
        <source>Open the selected user&apos;s properties</source>
        <translation>Die Eigenschaften des gewählten Benutzers öffnen</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>&amp;Löschen</translation>
    </message>
    <message>
        <source>Delete the selected users</source>
        <translation>Die gewählten Benutzer löschen</translation>
    </message>
    <message>
        <source>&amp;Export…</source>
        <translation>E&amp;xportieren…</translation>
    </message>
    <message>
        <source>Export the selected users (all users when none is selected) as XML or CSV</source>
        <translation>Die gewählten Benutzer (alle, wenn keiner gewählt ist) als XML oder CSV exportieren</translation>
    </message>
    <message>
        <source>Select A&amp;ll</source>
        <translation>&amp;Alle auswählen</translation>
    </message>
    <message>
        <source>Select every user shown</source>
        <translation>Jeden angezeigten Benutzer auswählen</translation>
    </message>
    <message>
        <source>&amp;Invert Selection</source>
        <translation>Auswahl &amp;umkehren</translation>
    </message>
    <message>
        <source>Select the users shown that are not selected, and clear the others</source>
        <translation>Die angezeigten, nicht gewählten Benutzer auswählen und die Auswahl der anderen aufheben</translation>
    </message>
    <message>
        <source>&amp;Reset Password…</source>
        <translation>Passwort &amp;zurücksetzen…</translation>
    </message>
    <message>
        <source>Set a new password for the selected user; this also restores a revoked User-ID</source>
        <translation>Ein neues Passwort für den gewählten Benutzer setzen; das entsperrt auch eine gesperrte Benutzerkennung</translation>
    </message>
    <message>
        <source>&amp;Unlock</source>
        <translation>E&amp;ntsperren</translation>
    </message>
    <message>
        <source>Restore the selected revoked User-IDs</source>
        <translation>Die gewählten gesperrten Benutzerkennungen wieder freigeben</translation>
    </message>
    <message>
        <source>Re-&amp;seal Record…</source>
        <translation>Datensatz neu &amp;versiegeln…</translation>
    </message>
    <message>
        <source>Accept a record that was changed outside TapeMaster, after reviewing it</source>
        <translation>Einen außerhalb von TapeMaster geänderten Datensatz nach Prüfung annehmen</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>A&amp;ktualisieren</translation>
    </message>
    <message>
        <source>Read the users and groups again</source>
        <translation>Benutzer und Gruppen neu einlesen</translation>
    </message>
    <message>
        <source>&amp;Filter</source>
        <translation>&amp;Filter</translation>
    </message>
    <message>
        <source>Type to show only the users that match</source>
        <translation>Tippen, um nur die passenden Benutzer zu zeigen</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>Schl&amp;ießen</translation>
    </message>
    <message>
        <source>Close this window</source>
        <translation>Dieses Fenster schließen</translation>
    </message>
    <message>
        <source>&amp;Add Group…</source>
        <translation>&amp;Gruppe hinzufügen…</translation>
    </message>
    <message>
        <source>Add a group</source>
        <translation>Eine Gruppe hinzufügen</translation>
    </message>
    <message>
        <source>&amp;Properties…</source>
        <translation>&amp;Eigenschaften…</translation>
    </message>
    <message>
        <source>Edit the selected group&apos;s description</source>
        <translation>Die Beschreibung der gewählten Gruppe bearbeiten</translation>
    </message>
    <message>
        <source>&amp;Delete Group</source>
        <translation>Gruppe &amp;löschen</translation>
    </message>
    <message>
        <source>Delete the selected group; only an empty group can be deleted</source>
        <translation>Die gewählte Gruppe löschen; nur eine leere Gruppe kann gelöscht werden</translation>
    </message>
    <message>
        <source>&amp;User</source>
        <translation>Be&amp;nutzer</translation>
    </message>
    <message>
        <source>&amp;Group</source>
        <translation>&amp;Gruppe</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Bearbeiten</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Management</source>
        <translation>&amp;Verwaltung</translation>
    </message>
    <message numerus="yes">
        <source>{shown} of %n user(s)</source>
        <translation>
            <numerusform>{shown} von %n Benutzer</numerusform>
            <numerusform>{shown} von %n Benutzern</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n user(s)</source>
        <translation>
            <numerusform>%n Benutzer</numerusform>
            <numerusform>%n Benutzer</numerusform>
        </translation>
    </message>
    <message>
        <source>checking record seals… {done}%</source>
        <translation>Siegel der Datensätze werden geprüft… {done}%</translation>
    </message>
    <message numerus="yes">
        <source>%n record(s) failed the integrity check (shown in red): review them before re-sealing</source>
        <translation>
            <numerusform>%n Datensatz hat die Integritätsprüfung nicht bestanden (rot gezeigt): vor dem neuen Versiegeln prüfen</numerusform>
            <numerusform>%n Datensätze haben die Integritätsprüfung nicht bestanden (rot gezeigt): vor dem neuen Versiegeln prüfen</numerusform>
        </translation>
    </message>
    <message>
        <source>User Properties</source>
        <translation>Benutzereigenschaften</translation>
    </message>
    <message>
        <source>Delete {user}?</source>
        <translation>{user} löschen?</translation>
    </message>
    <message numerus="yes">
        <source>Delete these %n users?</source>
        <translation>
            <numerusform>Diesen %n Benutzer löschen?</numerusform>
            <numerusform>Diese %n Benutzer löschen?</numerusform>
        </translation>
    </message>
    <message>
        <source>Their settings are removed; the audit log keeps their history.</source>
        <translation>Ihre Einstellungen werden entfernt; das Prüfprotokoll behält ihre Geschichte.</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>Entsperren</translation>
    </message>
    <message>
        <source>Re-seal Record</source>
        <translation>Datensatz neu versiegeln</translation>
    </message>
    <message>
        <source>Changed since TapeMaster last wrote it (on {time}):</source>
        <translation>Geändert, seit TapeMaster ihn zuletzt geschrieben hat (am {time}):</translation>
    </message>
    <message>
        <source>Changed since TapeMaster last wrote it:</source>
        <translation>Geändert, seit TapeMaster ihn zuletzt geschrieben hat:</translation>
    </message>
    <message>
        <source>The record of {user} was changed outside TapeMaster. Re-seal it?</source>
        <translation>Der Datensatz von {user} wurde außerhalb von TapeMaster geändert. Neu versiegeln?</translation>
    </message>
    <message>
        <source>

Re-sealing does not trust those changes: it clears the password, removes rights and client access, switches the One Time Password off and leaves the User-ID revoked. Afterwards unlock it, set a new password and give back what it should have.</source>
        <translation>

Das neue Versiegeln vertraut diesen Änderungen nicht: Es löscht das Passwort, entfernt Rechte und Programmzugriff, schaltet das Einmalpasswort aus und lässt die Benutzerkennung gesperrt. Entsperren Sie sie danach, setzen Sie ein neues Passwort und geben Sie ihr zurück, was sie haben soll.</translation>
    </message>
    <message>
        <source>Re-seal</source>
        <translation>Neu versiegeln</translation>
    </message>
    <message>
        <source>Export Users</source>
        <translation>Benutzer exportieren</translation>
    </message>
    <message>
        <source>XML files (*.xml);;CSV files (*.csv)</source>
        <translation>XML-Dateien (*.xml);;CSV-Dateien (*.csv)</translation>
    </message>
    <message numerus="yes">
        <source>Exported %n user(s) to {path}.</source>
        <translation>
            <numerusform>%n Benutzer nach {path} exportiert.</numerusform>
            <numerusform>%n Benutzer nach {path} exportiert.</numerusform>
        </translation>
    </message>
    <message>
        <source>Group Properties</source>
        <translation>Gruppeneigenschaften</translation>
    </message>
    <message>
        <source>Delete Group</source>
        <translation>Gruppe löschen</translation>
    </message>
    <message>
        <source>Delete group {group}?</source>
        <translation>Die Gruppe {group} löschen?</translation>
    </message>
    <message>
        <source>It has no users. The audit log keeps its history.</source>
        <translation>Sie hat keine Benutzer. Das Prüfprotokoll behält ihre Geschichte.</translation>
    </message>
</context>
<context>
    <name>IdentityModel</name>
    <message>
        <source>Field</source>
        <translation>Feld</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <source>{value} (changed, not saved)</source>
        <translation>{value} (geändert, nicht gespeichert)</translation>
    </message>
</context>
<context>
    <name>IdentityTab</name>
    <message>
        <source>Identity properties</source>
        <translation>Identitätseigenschaften</translation>
    </message>
    <message>
        <source>Field description</source>
        <translation>Feldbeschreibung</translation>
    </message>
    <message>
        <source>Bold with a dot: changed, not saved yet. Grey: cannot be changed here. F2, Enter or typing edits a value; Space switches True and False; Ctrl+S saves.</source>
        <translation>Fett mit Punkt: geändert, noch nicht gespeichert. Grau: hier nicht änderbar. F2, Eingabe oder Tippen bearbeitet einen Wert; die Leertaste wechselt zwischen Ja und Nein; Strg+S speichert.</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Passwort</translation>
    </message>
    <message>
        <source>Password (again)</source>
        <translation>Passwort (wiederholen)</translation>
    </message>
    <message>
        <source>&amp;Random</source>
        <translation>&amp;Zufällig</translation>
    </message>
    <message>
        <source>Propose a strong random password, to copy or send (Random Password Set)</source>
        <translation>Ein starkes zufälliges Passwort vorschlagen, zum Kopieren oder Senden (Zufallspasswort)</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>&amp;Passwort:</translation>
    </message>
    <message>
        <source>Password (&amp;again):</source>
        <translation>Passwort (&amp;wiederholen):</translation>
    </message>
    <message>
        <source>Select a field to read what it means.</source>
        <translation>Wählen Sie ein Feld, um zu lesen, was es bedeutet.</translation>
    </message>
    <message>
        <source>You cannot change it: you are not tapemaster.</source>
        <translation>Sie können es nicht ändern: Sie sind nicht tapemaster.</translation>
    </message>
</context>
<context>
    <name>IdleNotice</name>
    <message>
        <source>{program} — Still there?</source>
        <translation>{program} — Noch da?</translation>
    </message>
    <message>
        <source>Press any key or move the mouse to stay logged on.</source>
        <translation>Drücken Sie eine Taste oder bewegen Sie die Maus, um angemeldet zu bleiben.</translation>
    </message>
    <message>
        <source>&amp;Stay logged on</source>
        <translation>&amp;Angemeldet bleiben</translation>
    </message>
    <message>
        <source>Not saved yet: {windows}. Your changes are kept and offered again when you log back on.</source>
        <translation>Noch nicht gespeichert: {windows}. Ihre Änderungen werden aufbewahrt und bei der nächsten Anmeldung wieder angeboten.</translation>
    </message>
    <message numerus="yes">
        <source>{program} logs you out in %n second(s) because it has not been used for a while.</source>
        <translation>
            <numerusform>{program} meldet Sie in %n Sekunde ab, weil es eine Weile nicht benutzt wurde.</numerusform>
            <numerusform>{program} meldet Sie in %n Sekunden ab, weil es eine Weile nicht benutzt wurde.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>TapeTrack Logon — {program}</source>
        <translation>TapeTrack-Anmeldung — {program}</translation>
    </message>
    <message>
        <source>Caps Lock is on</source>
        <translation>Die Feststelltaste ist aktiv</translation>
    </message>
    <message>
        <source>User-ID</source>
        <translation>Benutzerkennung</translation>
    </message>
    <message>
        <source>Your User-ID, or the e-mail address your administrator entered for you</source>
        <translation>Ihre Benutzerkennung oder die E-Mail-Adresse, die Ihr Administrator für Sie eingetragen hat</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Passwort</translation>
    </message>
    <message>
        <source>One Time Password</source>
        <translation>Einmalpasswort</translation>
    </message>
    <message>
        <source>The 6-digit code from your authenticator app, if your User-ID uses one,
or one of your recovery codes (like abcd-2345) if you lost your phone.
Leave it empty the first time, to see the QR code to scan.</source>
        <translation>Der 6-stellige Code aus Ihrer Authenticator-App, wenn Ihre Benutzerkennung einen verwendet,
oder einer Ihrer Wiederherstellungscodes (wie abcd-2345), wenn Sie Ihr Telefon verloren haben.
Lassen Sie das Feld beim ersten Mal leer, um den QR-Code zum Scannen zu sehen.</translation>
    </message>
    <message>
        <source>&amp;User-ID:</source>
        <translation>&amp;Benutzerkennung:</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>&amp;Passwort:</translation>
    </message>
    <message>
        <source>&amp;One Time Password:</source>
        <translation>&amp;Einmalpasswort:</translation>
    </message>
    <message>
        <source>Enter your User-ID and password, and the One Time Password from your authenticator app if your User-ID uses one.</source>
        <translation>Geben Sie Ihre Benutzerkennung und Ihr Passwort ein, und das Einmalpasswort aus Ihrer Authenticator-App, wenn Ihre Benutzerkennung eines verwendet.</translation>
    </message>
    <message>
        <source>Enter your User-ID.</source>
        <translation>Geben Sie Ihre Benutzerkennung ein.</translation>
    </message>
    <message>
        <source>Enter your password.</source>
        <translation>Geben Sie Ihr Passwort ein.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Reset Password…</source>
        <translation>Passwort &amp;zurücksetzen…</translation>
    </message>
    <message>
        <source>&amp;One Time Password…</source>
        <translation>&amp;Einmalpasswort…</translation>
    </message>
    <message>
        <source>Your One Time Password: recovery codes, moving to a new phone</source>
        <translation>Ihr Einmalpasswort: Wiederherstellungscodes, Umzug auf ein neues Telefon</translation>
    </message>
    <message>
        <source>&amp;Log Out</source>
        <translation>&amp;Abmelden</translation>
    </message>
    <message>
        <source>E&amp;xit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Administration</source>
        <translation>&amp;Verwaltung</translation>
    </message>
    <message>
        <source>&amp;Group/User Administration…</source>
        <translation>&amp;Gruppen-/Benutzerverwaltung…</translation>
    </message>
    <message>
        <source>&amp;Active Users…</source>
        <translation>&amp;Aktive Benutzer…</translation>
    </message>
    <message>
        <source>Audit &amp;Log…</source>
        <translation>&amp;Prüfprotokoll…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;About {program}</source>
        <translation>Ü&amp;ber {program}</translation>
    </message>
    <message>
        <source>Administration ▸ Group/User Administration manages users, groups and One Time Passwords.</source>
        <translation>Verwaltung ▸ Gruppen-/Benutzerverwaltung verwaltet Benutzer, Gruppen und Einmalpasswörter.</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>Bereit</translation>
    </message>
    <message>
        <source>You were logged out with changes not saved: {windows}.</source>
        <translation>Sie wurden mit nicht gespeicherten Änderungen abgemeldet: {windows}.</translation>
    </message>
    <message>
        <source>Open them again to review and save them, or discard them.</source>
        <translation>Öffnen Sie sie erneut, um sie zu prüfen und zu speichern, oder verwerfen Sie sie.</translation>
    </message>
    <message>
        <source>&amp;Open Again</source>
        <translation>Erneut ö&amp;ffnen</translation>
    </message>
    <message>
        <source>&amp;Discard</source>
        <translation>&amp;Verwerfen</translation>
    </message>
    <message>
        <source>Needs tapemaster rights</source>
        <translation>Braucht tapemaster-Rechte</translation>
    </message>
    <message>
        <source>Your tapemaster rights were removed</source>
        <translation>Ihre tapemaster-Rechte wurden entzogen</translation>
    </message>
    <message>
        <source>The user store answers again</source>
        <translation>Die Benutzerdatenbank antwortet wieder</translation>
    </message>
    <message>
        <source>Password changed</source>
        <translation>Passwort geändert</translation>
    </message>
    <message>
        <source>unavailable — {problem}</source>
        <translation>nicht verfügbar — {problem}</translation>
    </message>
    <message>
        <source>none (cannot be written)</source>
        <translation>keiner (nicht beschreibbar)</translation>
    </message>
    <message>
        <source>About {program}</source>
        <translation>Über {program}</translation>
    </message>
    <message>
        <source>{program} (TapeMaster Qt {version})</source>
        <translation>{program} (TapeMaster Qt {version})</translation>
    </message>
    <message>
        <source>User store: {location}
Store key: {key}
Log folder: {folder}

Logon with password and One Time Password (RFC 6238 TOTP).</source>
        <translation>Benutzerdatenbank: {location}
Schlüssel: {key}
Protokollordner: {folder}

Anmeldung mit Passwort und Einmalpasswort (RFC 6238 TOTP).</translation>
    </message>
</context>
<context>
    <name>MyOneTimePasswordDialog</name>
    <message>
        <source>One Time Password — {user}</source>
        <translation>Einmalpasswort — {user}</translation>
    </message>
    <message>
        <source>One Time Password:</source>
        <translation>Einmalpasswort:</translation>
    </message>
    <message>
        <source>Recovery codes:</source>
        <translation>Wiederherstellungscodes:</translation>
    </message>
    <message>
        <source>123 456 or abcd-2345</source>
        <translation>123 456 oder abcd-2345</translation>
    </message>
    <message>
        <source>Current code or recovery code</source>
        <translation>Aktueller Code oder Wiederherstellungscode</translation>
    </message>
    <message>
        <source>&amp;Current code:</source>
        <translation>&amp;Aktueller Code:</translation>
    </message>
    <message>
        <source>Make New &amp;Recovery Codes…</source>
        <translation>Neue &amp;Wiederherstellungscodes erstellen…</translation>
    </message>
    <message>
        <source>Ten new recovery codes; the ones you have now stop working</source>
        <translation>Zehn neue Wiederherstellungscodes; die jetzigen werden ungültig</translation>
    </message>
    <message>
        <source>Move to a New &amp;Phone…</source>
        <translation>Auf ein neues &amp;Telefon umziehen…</translation>
    </message>
    <message>
        <source>A new QR code for your new phone; the current phone works until the new one is verified</source>
        <translation>Ein neuer QR-Code für Ihr neues Telefon; das jetzige Telefon funktioniert, bis das neue bestätigt ist</translation>
    </message>
    <message>
        <source>Not used: your User-ID logs on with its password alone. An administrator can switch it on.</source>
        <translation>Nicht verwendet: Ihre Benutzerkennung meldet sich allein mit dem Passwort an. Ein Administrator kann es einschalten.</translation>
    </message>
    <message>
        <source>Switched on, not activated yet: log on once with a code from your app (or use Verify in the setup).</source>
        <translation>Eingeschaltet, noch nicht aktiviert: Melden Sie sich einmal mit einem Code aus Ihrer App an (oder verwenden Sie „Prüfen“ in der Einrichtung).</translation>
    </message>
    <message>
        <source>Activated on {time}</source>
        <translation>Aktiviert am {time}</translation>
    </message>
    <message>
        <source>Activated</source>
        <translation>Aktiviert</translation>
    </message>
    <message>
        <source>None (they come with an activated One Time Password)</source>
        <translation>Keine (es gibt sie mit einem aktivierten Einmalpasswort)</translation>
    </message>
    <message numerus="yes">
        <source>%n left (made on {time})</source>
        <translation>
            <numerusform>%n übrig (erstellt am {time})</numerusform>
            <numerusform>%n übrig (erstellt am {time})</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n left</source>
        <translation>
            <numerusform>%n übrig</numerusform>
            <numerusform>%n übrig</numerusform>
        </translation>
    </message>
    <message>
        <source>None left: make new ones, so that a lost phone does not lock you out.</source>
        <translation>Keine mehr übrig: Erstellen Sie neue, damit ein verlorenes Telefon Sie nicht aussperrt.</translation>
    </message>
    <message>
        <source>You just logged on with a recovery code: your next step here needs no code.</source>
        <translation>Sie haben sich gerade mit einem Wiederherstellungscode angemeldet: Ihr nächster Schritt hier braucht keinen Code.</translation>
    </message>
    <message>
        <source>Each step below first needs a current code from your app, or one of your recovery codes.</source>
        <translation>Jeder Schritt unten braucht zuerst einen aktuellen Code aus Ihrer App oder einen Ihrer Wiederherstellungscodes.</translation>
    </message>
    <message>
        <source>New recovery codes made: the ones you had before no longer work.</source>
        <translation>Neue Wiederherstellungscodes erstellt: Die bisherigen gelten nicht mehr.</translation>
    </message>
    <message>
        <source>One Time Password</source>
        <translation>Einmalpasswort</translation>
    </message>
    <message>
        <source>Your new phone is set up.</source>
        <translation>Ihr neues Telefon ist eingerichtet.</translation>
    </message>
    <message>
        <source>From now on, log on with the codes your new phone shows; the old phone&apos;s codes no longer work. Your recovery codes are unchanged.</source>
        <translation>Melden Sie sich ab jetzt mit den Codes an, die Ihr neues Telefon zeigt; die Codes des alten Telefons gelten nicht mehr. Ihre Wiederherstellungscodes bleiben unverändert.</translation>
    </message>
    <message>
        <source>Access Revoked: too many wrong codes in a row. Ask your administrator.</source>
        <translation>Zugriff gesperrt: zu viele falsche Codes hintereinander. Wenden Sie sich an Ihren Administrator.</translation>
    </message>
    <message>
        <source>Type a current code from your app, or one of your recovery codes.</source>
        <translation>Geben Sie einen aktuellen Code aus Ihrer App oder einen Ihrer Wiederherstellungscodes ein.</translation>
    </message>
</context>
<context>
    <name>OtpSetupDialog</name>
    <message>
        <source>One Time Password New Phone — {program}</source>
        <translation>Einmalpasswort auf neuem Telefon — {program}</translation>
    </message>
    <message>
        <source>One Time Password Setup — {program}</source>
        <translation>Einmalpasswort einrichten — {program}</translation>
    </message>
    <message>
        <source>&lt;b&gt;Add your User-ID to the authenticator app on your new phone.&lt;/b&gt; Your current phone keeps working until the new one is verified here.</source>
        <translation>&lt;b&gt;Fügen Sie Ihre Benutzerkennung der Authenticator-App auf Ihrem neuen Telefon hinzu.&lt;/b&gt; Ihr jetziges Telefon funktioniert weiter, bis das neue hier bestätigt ist.</translation>
    </message>
    <message>
        <source>&lt;li&gt;Type the 6-digit code the &lt;b&gt;new&lt;/b&gt; phone shows and click &lt;b&gt;Verify&lt;/b&gt;. From then on only the new phone&apos;s codes work.&lt;/li&gt;</source>
        <translation>&lt;li&gt;Geben Sie den 6-stelligen Code ein, den das &lt;b&gt;neue&lt;/b&gt; Telefon zeigt, und klicken Sie auf &lt;b&gt;Prüfen&lt;/b&gt;. Danach gelten nur noch die Codes des neuen Telefons.&lt;/li&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;Your User-ID now uses a One Time Password.&lt;/b&gt; Add it to the authenticator app on your phone:</source>
        <translation>&lt;b&gt;Ihre Benutzerkennung verwendet jetzt ein Einmalpasswort.&lt;/b&gt; Fügen Sie sie der Authenticator-App auf Ihrem Telefon hinzu:</translation>
    </message>
    <message>
        <source>&lt;li&gt;Type the 6-digit code the app shows and click &lt;b&gt;Verify&lt;/b&gt; to switch it on now, or click &lt;b&gt;OK&lt;/b&gt; to carry on and use a code the next time you log on; this QR code is shown at each logon until you do.&lt;/li&gt;</source>
        <translation>&lt;li&gt;Geben Sie den 6-stelligen Code ein, den die App zeigt, und klicken Sie auf &lt;b&gt;Prüfen&lt;/b&gt;, um es jetzt einzuschalten, oder klicken Sie auf &lt;b&gt;OK&lt;/b&gt;, um fortzufahren und bei der nächsten Anmeldung einen Code zu verwenden; bis dahin erscheint dieser QR-Code bei jeder Anmeldung.&lt;/li&gt;</translation>
    </message>
    <message>
        <source>&lt;li&gt;Open your authenticator app ({apps}).&lt;/li&gt;</source>
        <translation>&lt;li&gt;Öffnen Sie Ihre Authenticator-App ({apps}).&lt;/li&gt;</translation>
    </message>
    <message>
        <source>&lt;li&gt;Add an account and scan this QR code (or type the key below it).&lt;/li&gt;</source>
        <translation>&lt;li&gt;Fügen Sie ein Konto hinzu und scannen Sie diesen QR-Code (oder geben Sie den Schlüssel darunter ein).&lt;/li&gt;</translation>
    </message>
    <message>
        <source>Codes depend on the time: make sure your computer and your phone show the correct date, time and time zone.</source>
        <translation>Die Codes hängen von der Uhrzeit ab: Achten Sie darauf, dass Computer und Telefon das richtige Datum, die richtige Uhrzeit und Zeitzone zeigen.</translation>
    </message>
    <message>
        <source>Secret Key</source>
        <translation>Geheimschlüssel</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Kopieren</translation>
    </message>
    <message numerus="yes">
        <source>Copy the Secret Key to the clipboard (taken off it again after %n second(s))</source>
        <translation>
            <numerusform>Den Geheimschlüssel in die Zwischenablage kopieren (nach %n Sekunde wieder entfernt)</numerusform>
            <numerusform>Den Geheimschlüssel in die Zwischenablage kopieren (nach %n Sekunden wieder entfernt)</numerusform>
        </translation>
    </message>
    <message>
        <source>&lt;b&gt;Can&apos;t scan?&lt;/b&gt; Type this key into the app instead:</source>
        <translation>&lt;b&gt;Scannen klappt nicht?&lt;/b&gt; Geben Sie stattdessen diesen Schlüssel in der App ein:</translation>
    </message>
    <message>
        <source>Account:</source>
        <translation>Konto:</translation>
    </message>
    <message>
        <source>Secret &amp;Key:</source>
        <translation>&amp;Geheimschlüssel:</translation>
    </message>
    <message>
        <source>Type:</source>
        <translation>Art:</translation>
    </message>
    <message>
        <source>Time based, 6 digits, every 30 seconds</source>
        <translation>Zeitbasiert, 6 Ziffern, alle 30 Sekunden</translation>
    </message>
    <message>
        <source>Code from your new phone</source>
        <translation>Code von Ihrem neuen Telefon</translation>
    </message>
    <message>
        <source>Code from your app</source>
        <translation>Code aus Ihrer App</translation>
    </message>
    <message>
        <source>&amp;Verify</source>
        <translation>&amp;Prüfen</translation>
    </message>
    <message>
        <source>Check the code now</source>
        <translation>Den Code jetzt prüfen</translation>
    </message>
    <message>
        <source>Check the code now: a right one switches One Time Password on at once</source>
        <translation>Den Code jetzt prüfen: Ein richtiger schaltet das Einmalpasswort sofort ein</translation>
    </message>
    <message>
        <source>Code from your &amp;new phone:</source>
        <translation>Code vom &amp;neuen Telefon:</translation>
    </message>
    <message>
        <source>Code from your &amp;app:</source>
        <translation>Code aus der &amp;App:</translation>
    </message>
    <message>
        <source>Type the 6-digit code your new phone shows.</source>
        <translation>Geben Sie den 6-stelligen Code ein, den Ihr neues Telefon zeigt.</translation>
    </message>
    <message>
        <source>Type the 6-digit code your app shows, or click OK to carry on without one.</source>
        <translation>Geben Sie den 6-stelligen Code ein, den Ihre App zeigt, oder klicken Sie auf OK, um ohne Code fortzufahren.</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>Kopiert</translation>
    </message>
</context>
<context>
    <name>PasswordChangeDialog</name>
    <message>
        <source>Password Change — {user}</source>
        <translation>Passwort ändern — {user}</translation>
    </message>
    <message>
        <source>Current Password</source>
        <translation>Aktuelles Passwort</translation>
    </message>
    <message>
        <source>New Password</source>
        <translation>Neues Passwort</translation>
    </message>
    <message>
        <source>New Password (again)</source>
        <translation>Neues Passwort (wiederholen)</translation>
    </message>
    <message>
        <source>&amp;Random</source>
        <translation>&amp;Zufällig</translation>
    </message>
    <message>
        <source>Propose a strong random password, to copy or send (Random Password Set)</source>
        <translation>Ein starkes zufälliges Passwort vorschlagen, zum Kopieren oder Senden (Zufallspasswort)</translation>
    </message>
    <message>
        <source>User-ID:</source>
        <translation>Benutzerkennung:</translation>
    </message>
    <message>
        <source>&amp;Current Password:</source>
        <translation>&amp;Aktuelles Passwort:</translation>
    </message>
    <message>
        <source>&amp;New Password:</source>
        <translation>&amp;Neues Passwort:</translation>
    </message>
    <message>
        <source>New Password (&amp;again):</source>
        <translation>Neues Passwort (&amp;wiederholen):</translation>
    </message>
    <message>
        <source>{min} to {max} characters, not the User-ID.</source>
        <translation>{min} bis {max} Zeichen, nicht die Benutzerkennung.</translation>
    </message>
    <message>
        <source>Resetting also restores a revoked User-ID.</source>
        <translation>Das Zurücksetzen entsperrt auch eine gesperrte Benutzerkennung.</translation>
    </message>
    <message>
        <source>when you press OK in Password Change</source>
        <translation>wenn Sie in „Passwort ändern“ auf OK klicken</translation>
    </message>
    <message>
        <source>The new passwords are not the same.</source>
        <translation>Die neuen Passwörter stimmen nicht überein.</translation>
    </message>
</context>
<context>
    <name>QrCodeLabel</name>
    <message>
        <source>QR code</source>
        <translation>QR-Code</translation>
    </message>
    <message>
        <source>Scan this code with your authenticator app</source>
        <translation>Scannen Sie diesen Code mit Ihrer Authenticator-App</translation>
    </message>
</context>
<context>
    <name>RandomPasswordDialog</name>
    <message>
        <source>Random Password Set</source>
        <translation>Zufallspasswort</translation>
    </message>
    <message>
        <source>A new password for {user}:</source>
        <translation>Ein neues Passwort für {user}:</translation>
    </message>
    <message>
        <source>A new password for the new user:</source>
        <translation>Ein neues Passwort für den neuen Benutzer:</translation>
    </message>
    <message>
        <source>New password</source>
        <translation>Neues Passwort</translation>
    </message>
    <message>
        <source>It becomes the password {when}. Letters and digits that look alike (0 and O, 1, l and I) are left out.</source>
        <translation>Es wird zum Passwort, {when}. Buchstaben und Ziffern, die sich ähneln (0 und O, 1, l und I), sind ausgelassen.</translation>
    </message>
    <message>
        <source>Copy &amp;password</source>
        <translation>&amp;Passwort kopieren</translation>
    </message>
    <message numerus="yes">
        <source>Copy the password (taken off the clipboard again after %n second(s))</source>
        <translation>
            <numerusform>Das Passwort kopieren (nach %n Sekunde wieder aus der Zwischenablage entfernt)</numerusform>
            <numerusform>Das Passwort kopieren (nach %n Sekunden wieder aus der Zwischenablage entfernt)</numerusform>
        </translation>
    </message>
    <message>
        <source>Copy &amp;message</source>
        <translation>&amp;Nachricht kopieren</translation>
    </message>
    <message numerus="yes">
        <source>Copy a ready message for the user, password included (taken off the clipboard again after %n second(s))</source>
        <translation>
            <numerusform>Eine fertige Nachricht für den Benutzer kopieren, mit Passwort (nach %n Sekunde wieder aus der Zwischenablage entfernt)</numerusform>
            <numerusform>Eine fertige Nachricht für den Benutzer kopieren, mit Passwort (nach %n Sekunden wieder aus der Zwischenablage entfernt)</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Email message</source>
        <translation>Nachricht per &amp;E-Mail</translation>
    </message>
    <message>
        <source>Open the message in a new e-mail to {address}</source>
        <translation>Die Nachricht in einer neuen E-Mail an {address} öffnen</translation>
    </message>
    <message>
        <source>Open the message in a new e-mail</source>
        <translation>Die Nachricht in einer neuen E-Mail öffnen</translation>
    </message>
    <message numerus="yes">
        <source>Password copied. It leaves the clipboard in %n second(s).</source>
        <translation>
            <numerusform>Passwort kopiert. Es verlässt die Zwischenablage in %n Sekunde.</numerusform>
            <numerusform>Passwort kopiert. Es verlässt die Zwischenablage in %n Sekunden.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Message copied. It leaves the clipboard in %n second(s).</source>
        <translation>
            <numerusform>Nachricht kopiert. Sie verlässt die Zwischenablage in %n Sekunde.</numerusform>
            <numerusform>Nachricht kopiert. Sie verlässt die Zwischenablage in %n Sekunden.</numerusform>
        </translation>
    </message>
    <message>
        <source>The message is in a new e-mail to {address}.</source>
        <translation>Die Nachricht steht in einer neuen E-Mail an {address}.</translation>
    </message>
    <message>
        <source>The message is in a new e-mail; add the user&apos;s address.</source>
        <translation>Die Nachricht steht in einer neuen E-Mail; fügen Sie die Adresse des Benutzers hinzu.</translation>
    </message>
    <message>
        <source>No e-mail program opened the message; use Copy message and paste it into an e-mail.</source>
        <translation>Kein E-Mail-Programm hat die Nachricht geöffnet; verwenden Sie „Nachricht kopieren“ und fügen Sie sie in eine E-Mail ein.</translation>
    </message>
</context>
<context>
    <name>RecoveryCodesDialog</name>
    <message>
        <source>TapeMaster recovery codes for {account}</source>
        <translation>TapeMaster-Wiederherstellungscodes für {account}</translation>
    </message>
    <message>
        <source>Each code works once, in place of a code from your authenticator app.</source>
        <translation>Jeder Code gilt einmal, anstelle eines Codes aus Ihrer Authenticator-App.</translation>
    </message>
    <message>
        <source>Recovery Codes — {account}</source>
        <translation>Wiederherstellungscodes — {account}</translation>
    </message>
    <message numerus="yes">
        <source>These are your %n recovery code(s).</source>
        <translation>
            <numerusform>Dies ist Ihr %n Wiederherstellungscode.</numerusform>
            <numerusform>Dies sind Ihre %n Wiederherstellungscodes.</numerusform>
        </translation>
    </message>
    <message>
        <source>Recovery codes</source>
        <translation>Wiederherstellungscodes</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Kopieren</translation>
    </message>
    <message>
        <source>Copy the codes to the clipboard (taken off it again after {seconds} s)</source>
        <translation>Die Codes in die Zwischenablage kopieren (nach {seconds} s wieder entfernt)</translation>
    </message>
    <message>
        <source>&amp;Save…</source>
        <translation>&amp;Speichern…</translation>
    </message>
    <message>
        <source>Save the codes in a text file only you can read</source>
        <translation>Die Codes in einer Textdatei speichern, die nur Sie lesen können</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>Kopiert</translation>
    </message>
    <message numerus="yes">
        <source>The codes are on the clipboard for %n second(s): paste them into your password manager now.</source>
        <translation>
            <numerusform>Die Codes sind %n Sekunde lang in der Zwischenablage: Fügen Sie sie jetzt in Ihren Passwort-Manager ein.</numerusform>
            <numerusform>Die Codes sind %n Sekunden lang in der Zwischenablage: Fügen Sie sie jetzt in Ihren Passwort-Manager ein.</numerusform>
        </translation>
    </message>
    <message>
        <source>Save Recovery Codes</source>
        <translation>Wiederherstellungscodes speichern</translation>
    </message>
    <message>
        <source>Text files (*.txt)</source>
        <translation>Textdateien (*.txt)</translation>
    </message>
    <message>
        <source>The codes could not be saved in {path} ({reason}); nothing was written. Choose another place.</source>
        <translation>Die Codes konnten nicht in {path} gespeichert werden ({reason}); nichts wurde geschrieben. Wählen Sie einen anderen Ort.</translation>
    </message>
    <message>
        <source>Saved</source>
        <translation>Gespeichert</translation>
    </message>
    <message>
        <source>Saved in {path}, readable by you only. Move it somewhere safe.</source>
        <translation>Gespeichert in {path}, nur für Sie lesbar. Bringen Sie die Datei an einen sicheren Ort.</translation>
    </message>
</context>
<context>
    <name>SessionDialog</name>
    <message>
        <source>Session Properties — {user}</source>
        <translation>Sitzungseigenschaften — {user}</translation>
    </message>
    <message>
        <source>The program on that computer says it is alive once a minute; a session not seen for five minutes is removed as stale.</source>
        <translation>Das Programm auf diesem Computer meldet sich einmal pro Minute; eine Sitzung, die fünf Minuten lang nicht gesehen wurde, wird als verwaist entfernt.</translation>
    </message>
</context>
<context>
    <name>StatusTab</name>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>FAILED — changed outside TapeMaster; review, then re-seal</source>
        <translation>FEHLGESCHLAGEN — außerhalb von TapeMaster geändert; prüfen, dann neu versiegeln</translation>
    </message>
    <message>
        <source>Re&amp;voke Recovery Codes…</source>
        <translation>Wiederherstellungscodes &amp;widerrufen…</translation>
    </message>
    <message>
        <source>Destroy the user&apos;s unused recovery codes (if someone else may have seen them)</source>
        <translation>Die unbenutzten Wiederherstellungscodes des Benutzers vernichten (falls jemand anderes sie gesehen haben könnte)</translation>
    </message>
    <message>
        <source>The status appears once the user is saved.</source>
        <translation>Der Status erscheint, sobald der Benutzer gespeichert ist.</translation>
    </message>
    <message>
        <source>{label}:</source>
        <translation>{label}:</translation>
    </message>
</context>
<context>
    <name>UserPropertiesDialog</name>
    <message>
        <source>New User</source>
        <translation>Neuer Benutzer</translation>
    </message>
    <message>
        <source>User Properties — {user}</source>
        <translation>Benutzereigenschaften — {user}</translation>
    </message>
    <message>
        <source>&amp;Identity</source>
        <translation>&amp;Identität</translation>
    </message>
    <message>
        <source>S&amp;tatus</source>
        <translation>S&amp;tatus</translation>
    </message>
    <message>
        <source>Save the changes (Ctrl+S)</source>
        <translation>Die Änderungen speichern (Strg+S)</translation>
    </message>
    <message>
        <source>Your changes from before you were logged out are back (bold, with a dot): review them, then Save.</source>
        <translation>Ihre Änderungen von vor der Abmeldung sind zurück (fett, mit Punkt): Prüfen Sie sie, dann Speichern.</translation>
    </message>
    <message>
        <source>Not restored: {fields}.</source>
        <translation>Nicht wiederhergestellt: {fields}.</translation>
    </message>
    <message>
        <source>Type the password again.</source>
        <translation>Geben Sie das Passwort erneut ein.</translation>
    </message>
    <message>
        <source>Discard the new user?</source>
        <translation>Den neuen Benutzer verwerfen?</translation>
    </message>
    <message>
        <source>Discard your changes to {user}?</source>
        <translation>Ihre Änderungen an {user} verwerfen?</translation>
    </message>
    <message>
        <source>User Properties</source>
        <translation>Benutzereigenschaften</translation>
    </message>
    <message>
        <source>Not saved yet: {fields}.</source>
        <translation>Noch nicht gespeichert: {fields}.</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>Verwerfen</translation>
    </message>
    <message>
        <source>when you save the new user</source>
        <translation>wenn Sie den neuen Benutzer speichern</translation>
    </message>
    <message>
        <source>Their activated secret is destroyed: the entry in their authenticator app stops working for good. Turning it on later makes a new secret and they must scan a new QR code.</source>
        <translation>Das aktivierte Geheimnis wird vernichtet: Der Eintrag in der Authenticator-App des Benutzers hört endgültig auf zu funktionieren. Ein späteres Einschalten erzeugt ein neues Geheimnis, und der Benutzer muss einen neuen QR-Code scannen.</translation>
    </message>
    <message>
        <source>Their enrolled secret is destroyed: the entry in their authenticator app stops working for good. Turning it on later makes a new secret and they must scan a new QR code.</source>
        <translation>Das eingerichtete Geheimnis wird vernichtet: Der Eintrag in der Authenticator-App des Benutzers hört endgültig auf zu funktionieren. Ein späteres Einschalten erzeugt ein neues Geheimnis, und der Benutzer muss einen neuen QR-Code scannen.</translation>
    </message>
    <message>
        <source>One Time Password</source>
        <translation>Einmalpasswort</translation>
    </message>
    <message>
        <source>Turn One Time Password off for {user}?</source>
        <translation>Das Einmalpasswort für {user} ausschalten?</translation>
    </message>
    <message>
        <source>Turn Off</source>
        <translation>Ausschalten</translation>
    </message>
    <message>
        <source>Give {user} a new One Time Password secret?</source>
        <translation>{user} ein neues Einmalpasswort-Geheimnis geben?</translation>
    </message>
    <message>
        <source>The old secret stops working at once; they must scan the new QR code at their next logon.</source>
        <translation>Das alte Geheimnis gilt sofort nicht mehr; der Benutzer muss bei der nächsten Anmeldung den neuen QR-Code scannen.</translation>
    </message>
    <message>
        <source>New Secret</source>
        <translation>Neues Geheimnis</translation>
    </message>
    <message>
        <source>Disable User-ID</source>
        <translation>Benutzerkennung deaktivieren</translation>
    </message>
    <message>
        <source>Disable {user}? They can no longer log on.</source>
        <translation>{user} deaktivieren? Der Benutzer kann sich dann nicht mehr anmelden.</translation>
    </message>
    <message>
        <source>Disable</source>
        <translation>Deaktivieren</translation>
    </message>
    <message>
        <source>Recovery Codes</source>
        <translation>Wiederherstellungscodes</translation>
    </message>
    <message>
        <source>Revoke the recovery codes of {user}?</source>
        <translation>Die Wiederherstellungscodes von {user} widerrufen?</translation>
    </message>
    <message>
        <source>Their unused recovery codes stop working at once. They can make new ones in File ▸ One Time Password…, with a code from their app.</source>
        <translation>Die unbenutzten Wiederherstellungscodes gelten sofort nicht mehr. Der Benutzer kann unter Datei ▸ Einmalpasswort… mit einem Code aus seiner App neue erstellen.</translation>
    </message>
    <message>
        <source>Revoke</source>
        <translation>Widerrufen</translation>
    </message>
</context>
<context>
    <name>_Legend</name>
    <message>
        <source>&lt;span style=&apos;color:{grey}&apos;&gt;Grey rows&lt;/span&gt;: revoked or disabled, no logon. &lt;span style=&apos;color:{red}&apos;&gt;Red rows&lt;/span&gt;: changed outside TapeMaster.</source>
        <translation>&lt;span style=&apos;color:{grey}&apos;&gt;Graue Zeilen&lt;/span&gt;: gesperrt oder deaktiviert, keine Anmeldung. &lt;span style=&apos;color:{red}&apos;&gt;Rote Zeilen&lt;/span&gt;: außerhalb von TapeMaster geändert.</translation>
    </message>
</context>
<context>
    <name>_TableWindow</name>
    <message>
        <source>&amp;Refresh</source>
        <translation>A&amp;ktualisieren</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>Schl&amp;ießen</translation>
    </message>
    <message>
        <source>&amp;Filter</source>
        <translation>&amp;Filter</translation>
    </message>
    <message>
        <source>Read the list again (F5)</source>
        <translation>Die Liste neu einlesen (F5)</translation>
    </message>
</context>
<context>
    <name>app</name>
    <message>
        <source>An unexpected error occurred; your work was not affected.</source>
        <translation>Ein unerwarteter Fehler ist aufgetreten; Ihre Arbeit ist davon nicht betroffen.</translation>
    </message>
    <message>
        <source>Details are in {path}.</source>
        <translation>Einzelheiten stehen in {path}.</translation>
    </message>
</context>
<context>
    <name>errors</name>
    <message>
        <source>Your session has ended; log on again.</source>
        <translation>Ihre Sitzung ist beendet; melden Sie sich erneut an.</translation>
    </message>
    <message>
        <source>The two passwords are not the same.</source>
        <translation>Die beiden Passwörter stimmen nicht überein.</translation>
    </message>
    <message>
        <source>Enter a password for the new user.</source>
        <translation>Geben Sie ein Passwort für den neuen Benutzer ein.</translation>
    </message>
    <message>
        <source>{field} is True or False.</source>
        <translation>{field} ist Ja oder Nein.</translation>
    </message>
    <message>
        <source>There is no User-ID {user}.</source>
        <translation>Es gibt keine Benutzerkennung {user}.</translation>
    </message>
    <message>
        <source>Every user except tapemaster belongs to a group.</source>
        <translation>Jeder Benutzer außer tapemaster gehört zu einer Gruppe.</translation>
    </message>
    <message>
        <source>There is no group {group}.</source>
        <translation>Es gibt keine Gruppe {group}.</translation>
    </message>
    <message>
        <source>That e-mail address already belongs to another user.</source>
        <translation>Diese E-Mail-Adresse gehört schon einem anderen Benutzer.</translation>
    </message>
    <message>
        <source>Enter a User-ID.</source>
        <translation>Geben Sie eine Benutzerkennung ein.</translation>
    </message>
    <message>
        <source>That User-ID already exists.</source>
        <translation>Diese Benutzerkennung gibt es schon.</translation>
    </message>
    <message>
        <source>User-ID {user} already exists (User-IDs differing only in case are not allowed).</source>
        <translation>Die Benutzerkennung {user} gibt es schon (Benutzerkennungen, die sich nur in Groß- und Kleinschreibung unterscheiden, sind nicht erlaubt).</translation>
    </message>
    <message>
        <source>Only tapemaster may grant tapemaster rights.</source>
        <translation>Nur tapemaster darf tapemaster-Rechte vergeben.</translation>
    </message>
    <message>
        <source>Only tapemaster may grant or remove tapemaster rights.</source>
        <translation>Nur tapemaster darf tapemaster-Rechte vergeben oder entziehen.</translation>
    </message>
    <message>
        <source>tapemaster always keeps tapemaster rights.</source>
        <translation>tapemaster behält immer die tapemaster-Rechte.</translation>
    </message>
    <message>
        <source>tapemaster cannot be disabled.</source>
        <translation>tapemaster kann nicht deaktiviert werden.</translation>
    </message>
    <message>
        <source>tapemaster always keeps access to TapeMaster.</source>
        <translation>tapemaster behält immer den Zugriff auf TapeMaster.</translation>
    </message>
    <message>
        <source>You cannot disable the User-ID you are logged on with.</source>
        <translation>Sie können die Benutzerkennung, mit der Sie angemeldet sind, nicht deaktivieren.</translation>
    </message>
    <message>
        <source>You cannot take away your own access to TapeMaster.</source>
        <translation>Sie können sich den eigenen Zugriff auf TapeMaster nicht entziehen.</translation>
    </message>
    <message>
        <source>The tapemaster User-ID cannot be deleted; nothing was deleted.</source>
        <translation>Die Benutzerkennung tapemaster kann nicht gelöscht werden; nichts wurde gelöscht.</translation>
    </message>
    <message>
        <source>You cannot delete the User-ID you are logged on with; nothing was deleted.</source>
        <translation>Sie können die Benutzerkennung, mit der Sie angemeldet sind, nicht löschen; nichts wurde gelöscht.</translation>
    </message>
    <message>
        <source>Group-ID {group} already exists.</source>
        <translation>Die Gruppenkennung {group} gibt es schon.</translation>
    </message>
    <message>
        <source>{group} is the default group: it cannot be deleted.</source>
        <translation>{group} ist die Standardgruppe: Sie kann nicht gelöscht werden.</translation>
    </message>
    <message>
        <source>Group {group} still has 1 user. Move them to another group first; nothing was deleted.</source>
        <translation>Die Gruppe {group} hat noch 1 Benutzer. Verschieben Sie ihn zuerst in eine andere Gruppe; nichts wurde gelöscht.</translation>
    </message>
    <message>
        <source>Group {group} still has {count} users. Move them to another group first; nothing was deleted.</source>
        <translation>Die Gruppe {group} hat noch {count} Benutzer. Verschieben Sie sie zuerst in eine andere Gruppe; nichts wurde gelöscht.</translation>
    </message>
    <message>
        <source>Only tapemaster may change store settings.</source>
        <translation>Nur tapemaster darf die Einstellungen der Benutzerdatenbank ändern.</translation>
    </message>
    <message>
        <source>The issuer has 1 to 64 printable characters.</source>
        <translation>Der Aussteller hat 1 bis 64 druckbare Zeichen.</translation>
    </message>
    <message>
        <source>The lockout threshold is a number from 1 to 20.</source>
        <translation>Die Sperrschwelle ist eine Zahl von 1 bis 20.</translation>
    </message>
    <message>
        <source>There is no session {session}; it may have ended already.</source>
        <translation>Es gibt keine Sitzung {session}; sie ist vielleicht schon beendet.</translation>
    </message>
    <message>
        <source>That is your own session; use File ▸ Log Out.</source>
        <translation>Das ist Ihre eigene Sitzung; verwenden Sie Datei ▸ Abmelden.</translation>
    </message>
    <message>
        <source>Only tapemaster itself may end a session of the tapemaster User-ID.</source>
        <translation>Nur tapemaster selbst darf eine Sitzung der Benutzerkennung tapemaster beenden.</translation>
    </message>
    <message>
        <source>Session {session} is already ending; its program logs out at its next heartbeat.</source>
        <translation>Die Sitzung {session} wird schon beendet; ihr Programm meldet sich beim nächsten Lebenszeichen ab.</translation>
    </message>
    <message>
        <source>The store key has gone missing from where this program read it; no new One Time Password secret can be made until it is written back (the program offers to at its next heartbeat) or restored.</source>
        <translation>Der Schlüssel der Benutzerdatenbank fehlt dort, wo dieses Programm ihn gelesen hat; kein neues Einmalpasswort-Geheimnis kann erzeugt werden, bis er zurückgeschrieben (das Programm bietet es beim nächsten Lebenszeichen an) oder wiederhergestellt ist.</translation>
    </message>
    <message>
        <source>One Time Password has been switched off for your User-ID meanwhile; there is nothing to verify.</source>
        <translation>Das Einmalpasswort wurde für Ihre Benutzerkennung inzwischen ausgeschaltet; es gibt nichts zu prüfen.</translation>
    </message>
    <message>
        <source>One Time Password is already activated for your User-ID (in another program); use a code at your next logon.</source>
        <translation>Das Einmalpasswort ist für Ihre Benutzerkennung schon aktiviert (in einem anderen Programm); verwenden Sie bei der nächsten Anmeldung einen Code.</translation>
    </message>
    <message>
        <source>Your One Time Password was changed meanwhile (in another program or by an administrator); nothing was activated. Log on again.</source>
        <translation>Ihr Einmalpasswort wurde inzwischen geändert (in einem anderen Programm oder von einem Administrator); nichts wurde aktiviert. Melden Sie sich erneut an.</translation>
    </message>
    <message>
        <source>The current password is not correct. Like failed logons, wrong current passwords count toward revoking the User-ID.</source>
        <translation>Das aktuelle Passwort ist nicht richtig. Wie fehlgeschlagene Anmeldungen zählen falsche aktuelle Passwörter zur Sperrung der Benutzerkennung.</translation>
    </message>
    <message>
        <source>The new password must differ from the current one.</source>
        <translation>Das neue Passwort muss sich vom aktuellen unterscheiden.</translation>
    </message>
    <message>
        <source>Your User-ID changed while the password was being changed; nothing was changed. Try again.</source>
        <translation>Ihre Benutzerkennung hat sich während der Passwortänderung geändert; nichts wurde geändert. Versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>Only users with tapemaster rights may administer users.</source>
        <translation>Nur Benutzer mit tapemaster-Rechten dürfen Benutzer verwalten.</translation>
    </message>
    <message>
        <source>The password must have at least {min} characters.</source>
        <translation>Das Passwort muss mindestens {min} Zeichen haben.</translation>
    </message>
    <message>
        <source>The password must have at most {max} characters.</source>
        <translation>Das Passwort darf höchstens {max} Zeichen haben.</translation>
    </message>
    <message>
        <source>The password contains a control character that cannot be typed at logon.</source>
        <translation>Das Passwort enthält ein Steuerzeichen, das sich bei der Anmeldung nicht eingeben lässt.</translation>
    </message>
    <message>
        <source>The password must not be the User-ID.</source>
        <translation>Das Passwort darf nicht die Benutzerkennung sein.</translation>
    </message>
    <message>
        <source>This move to a new phone has ended (it lasts {minutes} minutes, in the window it was started from); nothing was changed. Start again.</source>
        <translation>Dieser Umzug auf ein neues Telefon ist abgelaufen (er dauert {minutes} Minuten, in dem Fenster, in dem er begonnen wurde); nichts wurde geändert. Beginnen Sie erneut.</translation>
    </message>
    <message>
        <source>Your One Time Password was changed meanwhile; nothing was changed. Start again.</source>
        <translation>Ihr Einmalpasswort wurde inzwischen geändert; nichts wurde geändert. Beginnen Sie erneut.</translation>
    </message>
    <message>
        <source>Your One Time Password was changed meanwhile (by an administrator, or in another program); nothing was changed. Start again.</source>
        <translation>Ihr Einmalpasswort wurde inzwischen geändert (von einem Administrator oder in einem anderen Programm); nichts wurde geändert. Beginnen Sie erneut.</translation>
    </message>
    <message>
        <source>Your User-ID does not use a One Time Password.</source>
        <translation>Ihre Benutzerkennung verwendet kein Einmalpasswort.</translation>
    </message>
    <message>
        <source>Your One Time Password is not activated yet: log on once with a code from your app (or use Verify in the One Time Password Setup) first.</source>
        <translation>Ihr Einmalpasswort ist noch nicht aktiviert: Melden Sie sich zuerst einmal mit einem Code aus Ihrer App an (oder verwenden Sie „Prüfen“ in der Einrichtung des Einmalpassworts).</translation>
    </message>
    <message>
        <source>Your User-ID was changed meanwhile (by an administrator, or in another program); nothing was changed.</source>
        <translation>Ihre Benutzerkennung wurde inzwischen geändert (von einem Administrator oder in einem anderen Programm); nichts wurde geändert.</translation>
    </message>
    <message>
        <source>This store is already initialised; tapemaster has a password.</source>
        <translation>Diese Benutzerdatenbank ist schon eingerichtet; tapemaster hat ein Passwort.</translation>
    </message>
    <message>
        <source>A User-ID has at most {max} characters.</source>
        <translation>Eine Benutzerkennung hat höchstens {max} Zeichen.</translation>
    </message>
    <message>
        <source>A User-ID must not start with &apos;.&apos; or &apos;-&apos;.</source>
        <translation>Eine Benutzerkennung darf nicht mit „.“ oder „-“ beginnen.</translation>
    </message>
    <message>
        <source>A User-ID may hold only letters A-Z, digits, &apos;.&apos; and &apos;-&apos;.</source>
        <translation>Eine Benutzerkennung darf nur die Buchstaben A-Z, Ziffern, „.“ und „-“ enthalten.</translation>
    </message>
    <message>
        <source>Enter a Group-ID.</source>
        <translation>Geben Sie eine Gruppenkennung ein.</translation>
    </message>
    <message>
        <source>A Group-ID has 1 to {max} letters A-Z or digits.</source>
        <translation>Eine Gruppenkennung hat 1 bis {max} Buchstaben A-Z oder Ziffern.</translation>
    </message>
    <message>
        <source>{field} has at most {limit} characters.</source>
        <translation>{field} hat höchstens {limit} Zeichen.</translation>
    </message>
    <message>
        <source>{field} contains a control or invisible character.</source>
        <translation>{field} enthält ein Steuerzeichen oder ein unsichtbares Zeichen.</translation>
    </message>
    <message>
        <source>That is not an e-mail address (name@example.com).</source>
        <translation>Das ist keine E-Mail-Adresse (name@example.com).</translation>
    </message>
    <message>
        <source>The e-mail address contains a control character.</source>
        <translation>Die E-Mail-Adresse enthält ein Steuerzeichen.</translation>
    </message>
    <message>
        <source>Role is a number from 0 to 7.</source>
        <translation>Die Rolle ist eine Zahl von 0 bis 7.</translation>
    </message>
    <message>
        <source>The file could not be written: {reason}.</source>
        <translation>Die Datei konnte nicht geschrieben werden: {reason}.</translation>
    </message>
</context>
<context>
    <name>fields</name>
    <message>
        <source>Tampered</source>
        <translation>Manipuliert</translation>
    </message>
    <message>
        <source>Revoked</source>
        <translation>Gesperrt</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>Deaktiviert</translation>
    </message>
    <message>
        <source>OTP pending</source>
        <translation>OTP ausstehend</translation>
    </message>
    <message>
        <source>OTP active</source>
        <translation>OTP aktiv</translation>
    </message>
    <message>
        <source>The record was changed outside TapeMaster and failed its integrity check. It refuses every logon until an administrator reviews it and re-seals it.</source>
        <translation>Der Datensatz wurde außerhalb von TapeMaster geändert und hat die Integritätsprüfung nicht bestanden. Er verweigert jede Anmeldung, bis ein Administrator ihn prüft und neu versiegelt.</translation>
    </message>
    <message>
        <source>Too many failed logons in a row revoked the User-ID. Unlock or Reset Password restores it.</source>
        <translation>Zu viele fehlgeschlagene Anmeldungen hintereinander haben die Benutzerkennung gesperrt. Entsperren oder Passwort zurücksetzen gibt sie wieder frei.</translation>
    </message>
    <message>
        <source>An administrator disabled the User-ID: it cannot log on.</source>
        <translation>Ein Administrator hat die Benutzerkennung deaktiviert: Sie kann sich nicht anmelden.</translation>
    </message>
    <message>
        <source>One Time Password is on, but the user has not logged on with a code yet: the QR code shows at their next logon.</source>
        <translation>Das Einmalpasswort ist eingeschaltet, aber der Benutzer hat sich noch nicht mit einem Code angemeldet: Der QR-Code erscheint bei der nächsten Anmeldung.</translation>
    </message>
    <message>
        <source>Every logon needs a code from the user&apos;s authenticator app.</source>
        <translation>Jede Anmeldung braucht einen Code aus der Authenticator-App des Benutzers.</translation>
    </message>
    <message>
        <source>Identity</source>
        <translation>Identität</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Gruppe</translation>
    </message>
    <message>
        <source>Options</source>
        <translation>Optionen</translation>
    </message>
    <message>
        <source>Client Access</source>
        <translation>Programmzugriff</translation>
    </message>
    <message>
        <source>One Time Password</source>
        <translation>Einmalpasswort</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Who the user is: the User-ID they log on with, and how others know them.</source>
        <translation>Wer der Benutzer ist: die Benutzerkennung, mit der er sich anmeldet, und wie andere ihn kennen.</translation>
    </message>
    <message>
        <source>The user&apos;s group, and their rank in it.</source>
        <translation>Die Gruppe des Benutzers und sein Rang darin.</translation>
    </message>
    <message>
        <source>Rights and options that decide what the user may do.</source>
        <translation>Rechte und Optionen, die bestimmen, was der Benutzer darf.</translation>
    </message>
    <message>
        <source>The programs the user may log on to.</source>
        <translation>Die Programme, bei denen sich der Benutzer anmelden darf.</translation>
    </message>
    <message>
        <source>Whether every logon also needs a 6-digit code from an authenticator app, such as Google Authenticator or 2FAS.</source>
        <translation>Ob jede Anmeldung zusätzlich einen 6-stelligen Code aus einer Authenticator-App wie Google Authenticator oder 2FAS braucht.</translation>
    </message>
    <message>
        <source>The logon state of the User-ID, kept by the programs.</source>
        <translation>Der Anmeldezustand der Benutzerkennung, von den Programmen geführt.</translation>
    </message>
    <message>
        <source>True lets the user log on to TapeMaster.</source>
        <translation>Ja erlaubt dem Benutzer die Anmeldung bei TapeMaster.</translation>
    </message>
    <message>
        <source>True lets the user log on to TapeTrack Lite.</source>
        <translation>Ja erlaubt dem Benutzer die Anmeldung bei TapeTrack Lite.</translation>
    </message>
    <message>
        <source>True lets the user log on to TapeTrack Checkpoint.</source>
        <translation>Ja erlaubt dem Benutzer die Anmeldung bei TapeTrack Checkpoint.</translation>
    </message>
    <message>
        <source>User-ID</source>
        <translation>Benutzerkennung</translation>
    </message>
    <message>
        <source>The name the user logs on with: 1 to 16 letters or digits, with &apos;.&apos; and &apos;-&apos; allowed but not first. Capital and small letters differ. It cannot be changed once the user is saved.</source>
        <translation>Der Name, mit dem sich der Benutzer anmeldet: 1 bis 16 Buchstaben oder Ziffern, dazu „.“ und „-“, aber nicht am Anfang. Groß- und Kleinbuchstaben sind verschieden. Nach dem Speichern des Benutzers ist sie nicht mehr änderbar.</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>The user&apos;s full name as others see it, up to 64 characters.</source>
        <translation>Der vollständige Name des Benutzers, wie andere ihn sehen, bis zu 64 Zeichen.</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>E-Mail</translation>
    </message>
    <message>
        <source>The user&apos;s e-mail address. It may be left empty, but no two users may have the same address.</source>
        <translation>Die E-Mail-Adresse des Benutzers. Sie darf leer bleiben, aber keine zwei Benutzer dürfen dieselbe Adresse haben.</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Beschreibung</translation>
    </message>
    <message>
        <source>A note for administrators, such as the user&apos;s job or site, up to 255 characters.</source>
        <translation>Eine Notiz für Administratoren, etwa Aufgabe oder Standort des Benutzers, bis zu 255 Zeichen.</translation>
    </message>
    <message>
        <source>Group-ID</source>
        <translation>Gruppenkennung</translation>
    </message>
    <message>
        <source>The group the user belongs to. Every user except tapemaster belongs to a group; add groups on the Groups tab.</source>
        <translation>Die Gruppe, zu der der Benutzer gehört. Jeder Benutzer außer tapemaster gehört zu einer Gruppe; Gruppen legen Sie auf der Registerkarte „Gruppen“ an.</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rolle</translation>
    </message>
    <message>
        <source>The user&apos;s rank in the group, from 0 (highest) to 7 (lowest), as in TapeTrack, where Lite lets a user manage the users of an equal or lower rank. TapeMaster Qt keeps and exports the role, but it gives no rights here.</source>
        <translation>Der Rang des Benutzers in der Gruppe, von 0 (höchster) bis 7 (niedrigster), wie in TapeTrack, wo Lite einen Benutzer die Benutzer gleichen oder niedrigeren Rangs verwalten lässt. TapeMaster Qt speichert und exportiert die Rolle, sie gibt hier aber keine Rechte.</translation>
    </message>
    <message>
        <source>Administrative Rights</source>
        <translation>Administrative Rechte</translation>
    </message>
    <message>
        <source>In TapeTrack, True lets the user manage customers, media types and repositories. TapeMaster Qt keeps this right, but administering users needs tapemaster Rights.</source>
        <translation>In TapeTrack erlaubt Ja dem Benutzer, Kunden, Medientypen und Lagerorte zu verwalten. TapeMaster Qt speichert dieses Recht, aber die Benutzerverwaltung braucht tapemaster-Rechte.</translation>
    </message>
    <message>
        <source>tapemaster Rights</source>
        <translation>tapemaster-Rechte</translation>
    </message>
    <message>
        <source>True gives the user the same rights as tapemaster: the Administration menu, users, groups, Active Users and the Audit Log. Only tapemaster may grant or remove tapemaster Rights.</source>
        <translation>Ja gibt dem Benutzer dieselben Rechte wie tapemaster: das Menü Verwaltung, Benutzer, Gruppen, Aktive Benutzer und das Prüfprotokoll. Nur tapemaster darf tapemaster-Rechte vergeben oder entziehen.</translation>
    </message>
    <message>
        <source>True stops the user from logging on to any program. The User-ID and its settings are kept.</source>
        <translation>Ja hindert den Benutzer an der Anmeldung bei jedem Programm. Die Benutzerkennung und ihre Einstellungen bleiben erhalten.</translation>
    </message>
    <message>
        <source>No Time-Out</source>
        <translation>Keine Zeitabmeldung</translation>
    </message>
    <message>
        <source>TapeMaster logs a user out after 10 minutes without activity. True keeps this user logged on.</source>
        <translation>TapeMaster meldet einen Benutzer nach 10 Minuten ohne Aktivität ab. Ja hält diesen Benutzer angemeldet.</translation>
    </message>
    <message>
        <source>True after too many failed logons in a row (six, unless the store&apos;s lockout setting says otherwise). Unlock or Reset Password restores the User-ID.</source>
        <translation>Ja nach zu vielen fehlgeschlagenen Anmeldungen hintereinander (sechs, sofern die Sperreinstellung der Benutzerdatenbank nichts anderes sagt). Entsperren oder Passwort zurücksetzen gibt die Benutzerkennung wieder frei.</translation>
    </message>
    <message>
        <source>Failed Logons in a Row</source>
        <translation>Fehlgeschlagene Anmeldungen in Folge</translation>
    </message>
    <message>
        <source>Failed logons in a row since the last successful one or the last Unlock; too many revoke the User-ID.</source>
        <translation>Fehlgeschlagene Anmeldungen hintereinander seit der letzten erfolgreichen oder dem letzten Entsperren; zu viele sperren die Benutzerkennung.</translation>
    </message>
    <message>
        <source>True: every logon also needs a code from the user&apos;s authenticator app. Switching it to True makes a new secret when you save, and the user scans a new QR code at their next logon. Switching it to False destroys the secret.</source>
        <translation>Ja: Jede Anmeldung braucht zusätzlich einen Code aus der Authenticator-App des Benutzers. Das Umschalten auf Ja erzeugt beim Speichern ein neues Geheimnis, und der Benutzer scannt bei der nächsten Anmeldung einen neuen QR-Code. Das Umschalten auf Nein vernichtet das Geheimnis.</translation>
    </message>
    <message>
        <source>Activated</source>
        <translation>Aktiviert</translation>
    </message>
    <message>
        <source>True once the user has logged on with a valid code; from then on every logon needs one. The programs set it; it cannot be changed here.</source>
        <translation>Ja, sobald sich der Benutzer mit einem gültigen Code angemeldet hat; danach braucht jede Anmeldung einen. Die Programme setzen es; hier ist es nicht änderbar.</translation>
    </message>
    <message>
        <source>Recovery Codes Left</source>
        <translation>Übrige Wiederherstellungscodes</translation>
    </message>
    <message>
        <source>Unused single-use recovery codes: each logs the user on once in place of a code from their app. Revoke them if someone else may have seen them; the user makes new ones in File ▸ One Time Password….</source>
        <translation>Unbenutzte Einmal-Wiederherstellungscodes: Jeder meldet den Benutzer einmal anstelle eines Codes aus seiner App an. Widerrufen Sie sie, wenn jemand anderes sie gesehen haben könnte; der Benutzer erstellt neue unter Datei ▸ Einmalpasswort….</translation>
    </message>
    <message>
        <source>Last Logon</source>
        <translation>Letzte Anmeldung</translation>
    </message>
    <message>
        <source>When the user last logged on successfully.</source>
        <translation>Wann sich der Benutzer zuletzt erfolgreich angemeldet hat.</translation>
    </message>
    <message>
        <source>Failed Since Last Logon</source>
        <translation>Fehlversuche seit letzter Anmeldung</translation>
    </message>
    <message>
        <source>Failed logons with this User-ID since its last successful logon. Unlock does not reset it: the user is told of them at their next logon.</source>
        <translation>Fehlgeschlagene Anmeldungen mit dieser Benutzerkennung seit ihrer letzten erfolgreichen Anmeldung. Entsperren setzt den Wert nicht zurück: Der Benutzer erfährt bei der nächsten Anmeldung davon.</translation>
    </message>
    <message>
        <source>Last Failed Logon</source>
        <translation>Letzte fehlgeschlagene Anmeldung</translation>
    </message>
    <message>
        <source>When a logon with this User-ID last failed.</source>
        <translation>Wann eine Anmeldung mit dieser Benutzerkennung zuletzt fehlschlug.</translation>
    </message>
    <message>
        <source>Password Set</source>
        <translation>Passwort gesetzt</translation>
    </message>
    <message>
        <source>False for a user who cannot log on yet, such as an imported one, until an administrator sets a password with Reset Password.</source>
        <translation>Nein für einen Benutzer, der sich noch nicht anmelden kann, etwa einen importierten, bis ein Administrator mit „Passwort zurücksetzen“ ein Passwort setzt.</translation>
    </message>
    <message>
        <source>Record Integrity</source>
        <translation>Datensatzintegrität</translation>
    </message>
    <message>
        <source>Whether the record still carries its seal. A record changed outside TapeMaster fails the check and refuses logons until an administrator reviews it and re-seals it.</source>
        <translation>Ob der Datensatz noch sein Siegel trägt. Ein außerhalb von TapeMaster geänderter Datensatz besteht die Prüfung nicht und verweigert Anmeldungen, bis ein Administrator ihn prüft und neu versiegelt.</translation>
    </message>
    <message>
        <source>OTP active, OTP pending, Revoked, Disabled or Tampered; empty for a User-ID that logs on with its password alone.</source>
        <translation>OTP aktiv, OTP ausstehend, Gesperrt, Deaktiviert oder Manipuliert; leer für eine Benutzerkennung, die sich allein mit dem Passwort anmeldet.</translation>
    </message>
    <message>
        <source>Group description</source>
        <translation>Gruppenbeschreibung</translation>
    </message>
</context>
<context>
    <name>idle</name>
    <message>
        <source>No Time-Out</source>
        <translation>Keine Zeitabmeldung</translation>
    </message>
    <message>
        <source>Idle log out at {time}</source>
        <translation>Abmeldung bei Inaktivität um {time}</translation>
    </message>
    <message numerus="yes">
        <source>You are logged out after %n minute(s) without using the keyboard or the mouse; using them moves this time on.</source>
        <translation>
            <numerusform>Sie werden nach %n Minute ohne Tastatur- oder Mausbenutzung abgemeldet; jede Benutzung schiebt diese Zeit hinaus.</numerusform>
            <numerusform>Sie werden nach %n Minuten ohne Tastatur- oder Mausbenutzung abgemeldet; jede Benutzung schiebt diese Zeit hinaus.</numerusform>
        </translation>
    </message>
    <message>
        <source>Your No Time-Out option is True: you are never logged out for inactivity.</source>
        <translation>Ihre Option „Keine Zeitabmeldung“ ist Ja: Sie werden nie wegen Inaktivität abgemeldet.</translation>
    </message>
</context>
<context>
    <name>tables</name>
    <message>
        <source>Group-ID</source>
        <translation>Gruppenkennung</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Beschreibung</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>This group failed its integrity check: it was changed outside TapeMaster.</source>
        <translation>Diese Gruppe hat die Integritätsprüfung nicht bestanden: Sie wurde außerhalb von TapeMaster geändert.</translation>
    </message>
    <message>
        <source>User-ID</source>
        <translation>Benutzerkennung</translation>
    </message>
    <message>
        <source>Program</source>
        <translation>Programm</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>Rechner</translation>
    </message>
    <message>
        <source>Process</source>
        <translation>Prozess</translation>
    </message>
    <message>
        <source>Since</source>
        <translation>Seit</translation>
    </message>
    <message>
        <source>Last Seen</source>
        <translation>Zuletzt gesehen</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>Ereignis</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>Einzelheiten</translation>
    </message>
    <message>
        <source>Actor</source>
        <translation>Ausgeführt von</translation>
    </message>
</context>
<context>
    <name>texts</name>
    <message>
        <source>Google Authenticator, Microsoft Authenticator, 2FAS, Authy or Aegis</source>
        <translation>Google Authenticator, Microsoft Authenticator, 2FAS, Authy oder Aegis</translation>
    </message>
    <message>
        <source>about 1 hour ahead</source>
        <translation>etwa 1 Stunde vor</translation>
    </message>
    <message>
        <source>about 1 hour behind</source>
        <translation>etwa 1 Stunde nach</translation>
    </message>
    <message numerus="yes">
        <source>about %n minute(s) ahead</source>
        <translation>
            <numerusform>etwa %n Minute vor</numerusform>
            <numerusform>etwa %n Minuten vor</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>about %n minute(s) behind</source>
        <translation>
            <numerusform>etwa %n Minute nach</numerusform>
            <numerusform>etwa %n Minuten nach</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>about %n hour(s) {minutes} minutes ahead</source>
        <translation>
            <numerusform>etwa %n Stunde {minutes} Minuten vor</numerusform>
            <numerusform>etwa %n Stunden {minutes} Minuten vor</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>about %n hour(s) {minutes} minutes behind</source>
        <translation>
            <numerusform>etwa %n Stunde {minutes} Minuten nach</numerusform>
            <numerusform>etwa %n Stunden {minutes} Minuten nach</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>about %n hour(s) ahead</source>
        <translation>
            <numerusform>etwa %n Stunde vor</numerusform>
            <numerusform>etwa %n Stunden vor</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>about %n hour(s) behind</source>
        <translation>
            <numerusform>etwa %n Stunde nach</numerusform>
            <numerusform>etwa %n Stunden nach</numerusform>
        </translation>
    </message>
    <message>
        <source>about 1 hour</source>
        <translation>etwa 1 Stunde</translation>
    </message>
    <message numerus="yes">
        <source>about %n minute(s)</source>
        <translation>
            <numerusform>etwa %n Minute</numerusform>
            <numerusform>etwa %n Minuten</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>about %n hour(s) {minutes} minutes</source>
        <translation>
            <numerusform>etwa %n Stunde {minutes} Minuten</numerusform>
            <numerusform>etwa %n Stunden {minutes} Minuten</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>about %n hour(s)</source>
        <translation>
            <numerusform>etwa %n Stunde</numerusform>
            <numerusform>etwa %n Stunden</numerusform>
        </translation>
    </message>
    <message>
        <source>Authorization Failure</source>
        <translation>Autorisierungsfehler</translation>
    </message>
    <message>
        <source>Access Revoked</source>
        <translation>Zugriff gesperrt</translation>
    </message>
    <message>
        <source>Access to {program} is not permitted</source>
        <translation>Der Zugriff auf {program} ist nicht erlaubt</translation>
    </message>
    <message>
        <source>One Time Password required</source>
        <translation>Einmalpasswort erforderlich</translation>
    </message>
    <message>
        <source>The One Time Password is not valid.</source>
        <translation>Das Einmalpasswort ist ungültig.</translation>
    </message>
    <message>
        <source>The One Time Password is not valid. If you have not added TapeTrack to your authenticator app yet, log on without a code to see the QR code again and scan it.</source>
        <translation>Das Einmalpasswort ist ungültig. Wenn Sie TapeTrack noch nicht Ihrer Authenticator-App hinzugefügt haben, melden Sie sich ohne Code an, um den QR-Code erneut zu sehen, und scannen Sie ihn.</translation>
    </message>
    <message>
        <source>This code has already been used — wait for the next one</source>
        <translation>Dieser Code wurde schon verwendet — warten Sie auf den nächsten</translation>
    </message>
    <message>
        <source>That code belongs to another time: your device&apos;s clock is {how}. Check the date, time and time zone on your device, then use the next code.</source>
        <translation>Dieser Code gehört zu einer anderen Uhrzeit: Die Uhr Ihres Geräts geht {how}. Prüfen Sie Datum, Uhrzeit und Zeitzone Ihres Geräts und verwenden Sie dann den nächsten Code.</translation>
    </message>
    <message>
        <source>This computer&apos;s clock is behind the time of your last logon, so no One Time Password can be accepted yet. Try again in {wait}, or ask your administrator to check this computer&apos;s date and time.</source>
        <translation>Die Uhr dieses Computers liegt vor der Zeit Ihrer letzten Anmeldung zurück, daher kann noch kein Einmalpasswort angenommen werden. Versuchen Sie es in {wait} erneut, oder bitten Sie Ihren Administrator, Datum und Uhrzeit dieses Computers zu prüfen.</translation>
    </message>
    <message>
        <source>A One Time Password is the 6 digits your app shows, like 123456 or 123 456, or one of your recovery codes, like abcd-2345.</source>
        <translation>Ein Einmalpasswort sind die 6 Ziffern, die Ihre App zeigt, wie 123456 oder 123 456, oder einer Ihrer Wiederherstellungscodes, wie abcd-2345.</translation>
    </message>
    <message>
        <source>That recovery code is not valid, or it was used already: each recovery code works once.</source>
        <translation>Dieser Wiederherstellungscode ist ungültig oder wurde schon verwendet: Jeder Wiederherstellungscode gilt nur einmal.</translation>
    </message>
    <message>
        <source>That is not the code your new phone shows for this QR code. Scan the QR code with the new phone (or type the Secret Key), then type the 6-digit code it shows.</source>
        <translation>Das ist nicht der Code, den Ihr neues Telefon für diesen QR-Code zeigt. Scannen Sie den QR-Code mit dem neuen Telefon (oder geben Sie den Geheimschlüssel ein) und geben Sie dann den 6-stelligen Code ein, den es zeigt.</translation>
    </message>
    <message>
        <source>That code does not match this QR code. Check that your app added the account from this QR code (or this key), then type the code it shows now.</source>
        <translation>Dieser Code passt nicht zu diesem QR-Code. Prüfen Sie, ob Ihre App das Konto aus diesem QR-Code (oder diesem Schlüssel) hinzugefügt hat, und geben Sie dann den Code ein, den sie jetzt zeigt.</translation>
    </message>
    <message>
        <source>Each recovery code logs you on once in place of a code from your app, if you lose your phone. Keep them somewhere safe that is not your phone, such as a password manager or a printed sheet in a locked drawer, and never share them: anyone with your password and one of these codes can log on as you. They are shown only now.</source>
        <translation>Jeder Wiederherstellungscode meldet Sie einmal anstelle eines Codes aus Ihrer App an, falls Sie Ihr Telefon verlieren. Bewahren Sie sie sicher und nicht auf Ihrem Telefon auf, etwa in einem Passwort-Manager oder ausgedruckt in einer verschlossenen Schublade, und geben Sie sie nie weiter: Wer Ihr Passwort und einen dieser Codes hat, kann sich als Sie anmelden. Sie werden nur jetzt angezeigt.</translation>
    </message>
    <message>
        <source>no recovery codes left</source>
        <translation>keine Wiederherstellungscodes mehr</translation>
    </message>
    <message numerus="yes">
        <source>%n recovery code(s) left</source>
        <translation>
            <numerusform>noch %n Wiederherstellungscode</numerusform>
            <numerusform>noch %n Wiederherstellungscodes</numerusform>
        </translation>
    </message>
    <message>
        <source>You were logged out: an administrator ({by}) ended your session.</source>
        <translation>Sie wurden abgemeldet: Ein Administrator ({by}) hat Ihre Sitzung beendet.</translation>
    </message>
    <message>
        <source>You were logged out: an administrator disabled your User-ID.</source>
        <translation>Sie wurden abgemeldet: Ein Administrator hat Ihre Benutzerkennung deaktiviert.</translation>
    </message>
    <message>
        <source>You were logged out: your User-ID was revoked (Access Revoked).</source>
        <translation>Sie wurden abgemeldet: Ihre Benutzerkennung wurde gesperrt (Zugriff gesperrt).</translation>
    </message>
    <message>
        <source>You were logged out: your User-ID was deleted.</source>
        <translation>Sie wurden abgemeldet: Ihre Benutzerkennung wurde gelöscht.</translation>
    </message>
    <message>
        <source>You were logged out: an administrator removed your access to {program}.</source>
        <translation>Sie wurden abgemeldet: Ein Administrator hat Ihnen den Zugriff auf {program} entzogen.</translation>
    </message>
    <message>
        <source>You were logged out: an administrator switched on or reset your One Time Password; log on again to set it up.</source>
        <translation>Sie wurden abgemeldet: Ein Administrator hat Ihr Einmalpasswort eingeschaltet oder zurückgesetzt; melden Sie sich erneut an, um es einzurichten.</translation>
    </message>
    <message>
        <source>You were logged out: your User-ID&apos;s record failed its integrity check — contact your administrator.</source>
        <translation>Sie wurden abgemeldet: Der Datensatz Ihrer Benutzerkennung hat die Integritätsprüfung nicht bestanden — wenden Sie sich an Ihren Administrator.</translation>
    </message>
    <message>
        <source>You were logged out: an administrator ended your session.</source>
        <translation>Sie wurden abgemeldet: Ein Administrator hat Ihre Sitzung beendet.</translation>
    </message>
    <message>
        <source>You were logged out: your session was ended.</source>
        <translation>Sie wurden abgemeldet: Ihre Sitzung wurde beendet.</translation>
    </message>
    <message>
        <source>An administrator removed your tapemaster rights; the administration windows were closed.</source>
        <translation>Ein Administrator hat Ihnen die tapemaster-Rechte entzogen; die Verwaltungsfenster wurden geschlossen.</translation>
    </message>
    <message>
        <source>User-ID disabled</source>
        <translation>Benutzerkennung deaktiviert</translation>
    </message>
    <message>
        <source>User-ID revoked</source>
        <translation>Benutzerkennung gesperrt</translation>
    </message>
    <message>
        <source>User-ID deleted</source>
        <translation>Benutzerkennung gelöscht</translation>
    </message>
    <message>
        <source>program access removed</source>
        <translation>Programmzugriff entzogen</translation>
    </message>
    <message>
        <source>One Time Password switched on or reset</source>
        <translation>Einmalpasswort eingeschaltet oder zurückgesetzt</translation>
    </message>
    <message>
        <source>record failed its integrity check</source>
        <translation>Datensatz hat die Integritätsprüfung nicht bestanden</translation>
    </message>
    <message>
        <source>disconnected</source>
        <translation>getrennt</translation>
    </message>
    <message>
        <source>Ending: {why} by {user}</source>
        <translation>Wird beendet: {why} durch {user}</translation>
    </message>
    <message>
        <source>Ending: {why}</source>
        <translation>Wird beendet: {why}</translation>
    </message>
    <message>
        <source>Not responding</source>
        <translation>Reagiert nicht</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <source>Its program logs out at its next heartbeat (within a minute) and says why.</source>
        <translation>Das Programm meldet sich beim nächsten Lebenszeichen (innerhalb einer Minute) ab und nennt den Grund.</translation>
    </message>
    <message>
        <source>No heartbeat for over two minutes: the program is busy, suspended or gone. The session is removed once it has not been seen for five minutes.</source>
        <translation>Seit über zwei Minuten kein Lebenszeichen: Das Programm ist beschäftigt, angehalten oder beendet. Die Sitzung wird entfernt, wenn sie fünf Minuten lang nicht gesehen wurde.</translation>
    </message>
    <message>
        <source>The program checked in within the last two minutes.</source>
        <translation>Das Programm hat sich in den letzten zwei Minuten gemeldet.</translation>
    </message>
    <message>
        <source>never</source>
        <translation>nie</translation>
    </message>
    <message>
        <source>True</source>
        <translation>Ja</translation>
    </message>
    <message>
        <source>False</source>
        <translation>Nein</translation>
    </message>
    <message>
        <source>Logged on</source>
        <translation>Angemeldet</translation>
    </message>
    <message>
        <source>Logon refused</source>
        <translation>Anmeldung verweigert</translation>
    </message>
    <message>
        <source>Logged out</source>
        <translation>Abgemeldet</translation>
    </message>
    <message>
        <source>QR code shown</source>
        <translation>QR-Code gezeigt</translation>
    </message>
    <message>
        <source>One Time Password activated</source>
        <translation>Einmalpasswort aktiviert</translation>
    </message>
    <message>
        <source>One Time Password switched on</source>
        <translation>Einmalpasswort eingeschaltet</translation>
    </message>
    <message>
        <source>One Time Password switched off</source>
        <translation>Einmalpasswort ausgeschaltet</translation>
    </message>
    <message>
        <source>One Time Password used twice</source>
        <translation>Einmalpasswort doppelt verwendet</translation>
    </message>
    <message>
        <source>Device clock is off</source>
        <translation>Geräteuhr geht falsch</translation>
    </message>
    <message>
        <source>User-ID unlocked</source>
        <translation>Benutzerkennung entsperrt</translation>
    </message>
    <message>
        <source>Password changed</source>
        <translation>Passwort geändert</translation>
    </message>
    <message>
        <source>User added</source>
        <translation>Benutzer hinzugefügt</translation>
    </message>
    <message>
        <source>User changed</source>
        <translation>Benutzer geändert</translation>
    </message>
    <message>
        <source>User deleted</source>
        <translation>Benutzer gelöscht</translation>
    </message>
    <message>
        <source>Group added</source>
        <translation>Gruppe hinzugefügt</translation>
    </message>
    <message>
        <source>Group changed</source>
        <translation>Gruppe geändert</translation>
    </message>
    <message>
        <source>Group deleted</source>
        <translation>Gruppe gelöscht</translation>
    </message>
    <message>
        <source>Record changed outside TapeMaster</source>
        <translation>Datensatz außerhalb von TapeMaster geändert</translation>
    </message>
    <message>
        <source>Record re-sealed</source>
        <translation>Datensatz neu versiegelt</translation>
    </message>
    <message>
        <source>Setting changed</source>
        <translation>Einstellung geändert</translation>
    </message>
    <message>
        <source>Store key exported</source>
        <translation>Schlüssel der Benutzerdatenbank exportiert</translation>
    </message>
    <message>
        <source>Store key imported</source>
        <translation>Schlüssel der Benutzerdatenbank importiert</translation>
    </message>
    <message>
        <source>Recovery code used</source>
        <translation>Wiederherstellungscode verwendet</translation>
    </message>
    <message>
        <source>Recovery codes made</source>
        <translation>Wiederherstellungscodes erstellt</translation>
    </message>
    <message>
        <source>Recovery codes revoked</source>
        <translation>Wiederherstellungscodes widerrufen</translation>
    </message>
    <message>
        <source>Session ended</source>
        <translation>Sitzung beendet</translation>
    </message>
    <message>
        <source>Store key written back</source>
        <translation>Schlüssel der Benutzerdatenbank zurückgeschrieben</translation>
    </message>
    <message>
        <source>Store changed outside TapeMaster</source>
        <translation>Benutzerdatenbank außerhalb von TapeMaster geändert</translation>
    </message>
    <message>
        <source>Store trusted on this computer</source>
        <translation>Benutzerdatenbank auf diesem Computer vertraut</translation>
    </message>
    <message>
        <source>Store sealed</source>
        <translation>Benutzerdatenbank versiegelt</translation>
    </message>
    <message>
        <source>Store accepted as it is</source>
        <translation>Benutzerdatenbank so angenommen, wie sie ist</translation>
    </message>
    <message>
        <source>Store backed up</source>
        <translation>Benutzerdatenbank gesichert</translation>
    </message>
    <message>
        <source>Store restored</source>
        <translation>Benutzerdatenbank wiederhergestellt</translation>
    </message>
    <message>
        <source>Unknown User-ID</source>
        <translation>Unbekannte Benutzerkennung</translation>
    </message>
    <message>
        <source>Wrong password</source>
        <translation>Falsches Passwort</translation>
    </message>
    <message>
        <source>One Time Password missing</source>
        <translation>Einmalpasswort fehlt</translation>
    </message>
    <message>
        <source>Wrong One Time Password</source>
        <translation>Falsches Einmalpasswort</translation>
    </message>
    <message>
        <source>Logon refused: User-ID disabled</source>
        <translation>Anmeldung verweigert: Benutzerkennung deaktiviert</translation>
    </message>
    <message>
        <source>Logon refused: User-ID revoked</source>
        <translation>Anmeldung verweigert: Benutzerkennung gesperrt</translation>
    </message>
    <message>
        <source>Logon refused: program not permitted</source>
        <translation>Anmeldung verweigert: Programm nicht erlaubt</translation>
    </message>
    <message>
        <source>Logon refused: record changed outside TapeMaster</source>
        <translation>Anmeldung verweigert: Datensatz außerhalb von TapeMaster geändert</translation>
    </message>
    <message>
        <source>wrong password</source>
        <translation>falsches Passwort</translation>
    </message>
    <message>
        <source>wrong One Time Password</source>
        <translation>falsches Einmalpasswort</translation>
    </message>
    <message>
        <source>record changed outside TapeMaster</source>
        <translation>Datensatz außerhalb von TapeMaster geändert</translation>
    </message>
    <message>
        <source>the device&apos;s clock is off</source>
        <translation>die Uhr des Geräts geht falsch</translation>
    </message>
    <message>
        <source>code already used</source>
        <translation>Code schon verwendet</translation>
    </message>
    <message>
        <source>One Time Password secret unreadable</source>
        <translation>Einmalpasswort-Geheimnis unlesbar</translation>
    </message>
    <message>
        <source>no activity for too long</source>
        <translation>zu lange keine Aktivität</translation>
    </message>
    <message>
        <source>program closed</source>
        <translation>Programm beendet</translation>
    </message>
    <message>
        <source>with a One Time Password</source>
        <translation>mit einem Einmalpasswort</translation>
    </message>
    <message>
        <source>with a recovery code</source>
        <translation>mit einem Wiederherstellungscode</translation>
    </message>
    <message>
        <source>by the user</source>
        <translation>durch den Benutzer</translation>
    </message>
    <message>
        <source>(your User-ID)</source>
        <translation>(Ihre Benutzerkennung)</translation>
    </message>
    <message>
        <source>A User-ID has been made for you for TapeMaster, Checkpoint and Lite.</source>
        <translation>Für Sie wurde eine Benutzerkennung für TapeMaster, Checkpoint und Lite angelegt.</translation>
    </message>
    <message>
        <source>Your password for TapeMaster, Checkpoint and Lite has been reset.</source>
        <translation>Ihr Passwort für TapeMaster, Checkpoint und Lite wurde zurückgesetzt.</translation>
    </message>
    <message>
        <source>Hello,</source>
        <translation>Hallo,</translation>
    </message>
    <message>
        <source>User-ID:  {user}</source>
        <translation>Benutzerkennung:  {user}</translation>
    </message>
    <message>
        <source>Password: {password}</source>
        <translation>Passwort:         {password}</translation>
    </message>
    <message>
        <source>Log on with it, then choose a password of your own with File ▸ Reset Password.</source>
        <translation>Melden Sie sich damit an und wählen Sie dann unter Datei ▸ Passwort zurücksetzen ein eigenes Passwort.</translation>
    </message>
    <message>
        <source>If you did not expect this message, tell your administrator.</source>
        <translation>Wenn Sie diese Nachricht nicht erwartet haben, sagen Sie es Ihrem Administrator.</translation>
    </message>
    <message>
        <source>Your new TapeMaster User-ID</source>
        <translation>Ihre neue TapeMaster-Benutzerkennung</translation>
    </message>
    <message>
        <source>Your new TapeMaster password</source>
        <translation>Ihr neues TapeMaster-Passwort</translation>
    </message>
    <message>
        <source>in the future (a clock is wrong)</source>
        <translation>in der Zukunft (eine Uhr geht falsch)</translation>
    </message>
    <message numerus="yes">
        <source>%n day(s) ago</source>
        <translation>
            <numerusform>vor %n Tag</numerusform>
            <numerusform>vor %n Tagen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n hour(s) ago</source>
        <translation>
            <numerusform>vor %n Stunde</numerusform>
            <numerusform>vor %n Stunden</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n minute(s) ago</source>
        <translation>
            <numerusform>vor %n Minute</numerusform>
            <numerusform>vor %n Minuten</numerusform>
        </translation>
    </message>
    <message>
        <source>just now</source>
        <translation>gerade eben</translation>
    </message>
    <message>
        <source>{time} ({ago})</source>
        <translation>{time} ({ago})</translation>
    </message>
    <message>
        <source>User-ID</source>
        <translation>Benutzerkennung</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Program</source>
        <translation>Programm</translation>
    </message>
    <message>
        <source>Computer</source>
        <translation>Computer</translation>
    </message>
    <message>
        <source>Process ID</source>
        <translation>Prozess-ID</translation>
    </message>
    <message>
        <source>Last seen</source>
        <translation>Zuletzt gesehen</translation>
    </message>
    <message>
        <source>Session</source>
        <translation>Sitzung</translation>
    </message>
</context>
<context>
    <name>welcome</name>
    <message>
        <source>&lt;h2&gt;Welcome, {name}&lt;/h2&gt;</source>
        <translation>&lt;h2&gt;Willkommen, {name}&lt;/h2&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;Your last successful logon: &lt;b&gt;{time}&lt;/b&gt;&lt;/p&gt;</source>
        <translation>&lt;p&gt;Ihre letzte erfolgreiche Anmeldung: &lt;b&gt;{time}&lt;/b&gt;&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;This is your first logon.&lt;/p&gt;</source>
        <translation>&lt;p&gt;Dies ist Ihre erste Anmeldung.&lt;/p&gt;</translation>
    </message>
    <message numerus="yes">
        <source>%n failed logon attempt(s) since then.</source>
        <translation>
            <numerusform>%n fehlgeschlagener Anmeldeversuch seitdem.</numerusform>
            <numerusform>%n fehlgeschlagene Anmeldeversuche seitdem.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n failed logon attempt(s) before this logon.</source>
        <translation>
            <numerusform>%n fehlgeschlagener Anmeldeversuch vor dieser Anmeldung.</numerusform>
            <numerusform>%n fehlgeschlagene Anmeldeversuche vor dieser Anmeldung.</numerusform>
        </translation>
    </message>
    <message>
        <source>If that was not you, tell your administrator.</source>
        <translation>Wenn Sie das nicht waren, sagen Sie es Ihrem Administrator.</translation>
    </message>
    <message>
        <source>&lt;p&gt;No failed logon attempts since then.&lt;/p&gt;</source>
        <translation>&lt;p&gt;Seitdem keine fehlgeschlagenen Anmeldeversuche.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>You have {left}. File ▸ One Time Password… makes new ones, so that a lost phone does not lock you out.</source>
        <translation>Sie haben {left}. Datei ▸ Einmalpasswort… erstellt neue, damit ein verlorenes Telefon Sie nicht aussperrt.</translation>
    </message>
</context>
<context>
    <name>widgets</name>
    <message>
        <source>Message</source>
        <translation>Meldung</translation>
    </message>
</context>
</TS>
