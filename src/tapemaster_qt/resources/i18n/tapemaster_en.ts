<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>ActiveUsersWindow</name>
    <message numerus="yes">
        <source>%n active session(s)</source>
        <translation>
            <numerusform>%n active session</numerusform>
            <numerusform>%n active sessions</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>AuditLogWindow</name>
    <message numerus="yes">
        <source>The whole audit log is intact: %n event(s) checked.</source>
        <translation>
            <numerusform>The whole audit log is intact: %n event checked.</numerusform>
            <numerusform>The whole audit log is intact: %n events checked.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n event(s) match the filters</source>
        <translation>
            <numerusform>%n event match the filters</numerusform>
            <numerusform>%n events match the filters</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n event(s)</source>
        <translation>
            <numerusform>%n event</numerusform>
            <numerusform>%n events</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Exported %n event(s) to {path}.</source>
        <translation>
            <numerusform>Exported %n event to {path}.</numerusform>
            <numerusform>Exported %n events to {path}.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Controller</name>
    <message numerus="yes">
        <source>You were logged out after %n minute(s) without activity.</source>
        <translation>
            <numerusform>You were logged out after %n minute without activity.</numerusform>
            <numerusform>You were logged out after %n minutes without activity.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The user store cannot be reached; trying again every %n second(s). You are still logged on.</source>
        <translation>
            <numerusform>The user store cannot be reached; trying again every %n second. You are still logged on.</numerusform>
            <numerusform>The user store cannot be reached; trying again every %n seconds. You are still logged on.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>GroupUserAdministration</name>
    <message numerus="yes">
        <source>{shown} of %n user(s)</source>
        <translation>
            <numerusform>{shown} of %n user</numerusform>
            <numerusform>{shown} of %n users</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n user(s)</source>
        <translation>
            <numerusform>%n user</numerusform>
            <numerusform>%n users</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n record(s) failed the integrity check (shown in red): review them before re-sealing</source>
        <translation>
            <numerusform>%n record failed the integrity check (shown in red): review them before re-sealing</numerusform>
            <numerusform>%n records failed the integrity check (shown in red): review them before re-sealing</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Delete these %n users?</source>
        <translation>
            <numerusform>Delete these %n users?</numerusform>
            <numerusform>Delete these %n users?</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Exported %n user(s) to {path}.</source>
        <translation>
            <numerusform>Exported %n user to {path}.</numerusform>
            <numerusform>Exported %n users to {path}.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>IdleNotice</name>
    <message numerus="yes">
        <source>{program} logs you out in %n second(s) because it has not been used for a while.</source>
        <translation>
            <numerusform>{program} logs you out in %n second because it has not been used for a while.</numerusform>
            <numerusform>{program} logs you out in %n seconds because it has not been used for a while.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MyOneTimePasswordDialog</name>
    <message numerus="yes">
        <source>%n left (made on {time})</source>
        <translation>
            <numerusform>%n left (made on {time})</numerusform>
            <numerusform>%n left (made on {time})</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n left</source>
        <translation>
            <numerusform>%n left</numerusform>
            <numerusform>%n left</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>OtpSetupDialog</name>
    <message numerus="yes">
        <source>Copy the Secret Key to the clipboard (taken off it again after %n second(s))</source>
        <translation>
            <numerusform>Copy the Secret Key to the clipboard (taken off it again after %n second)</numerusform>
            <numerusform>Copy the Secret Key to the clipboard (taken off it again after %n seconds)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RandomPasswordDialog</name>
    <message numerus="yes">
        <source>Copy the password (taken off the clipboard again after %n second(s))</source>
        <translation>
            <numerusform>Copy the password (taken off the clipboard again after %n second)</numerusform>
            <numerusform>Copy the password (taken off the clipboard again after %n seconds)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Copy a ready message for the user, password included (taken off the clipboard again after %n second(s))</source>
        <translation>
            <numerusform>Copy a ready message for the user, password included (taken off the clipboard again after %n second)</numerusform>
            <numerusform>Copy a ready message for the user, password included (taken off the clipboard again after %n seconds)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Password copied. It leaves the clipboard in %n second(s).</source>
        <translation>
            <numerusform>Password copied. It leaves the clipboard in %n second.</numerusform>
            <numerusform>Password copied. It leaves the clipboard in %n seconds.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Message copied. It leaves the clipboard in %n second(s).</source>
        <translation>
            <numerusform>Message copied. It leaves the clipboard in %n second.</numerusform>
            <numerusform>Message copied. It leaves the clipboard in %n seconds.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RecoveryCodesDialog</name>
    <message numerus="yes">
        <source>These are your %n recovery code(s).</source>
        <translation>
            <numerusform>These are your %n recovery code.</numerusform>
            <numerusform>These are your %n recovery codes.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The codes are on the clipboard for %n second(s): paste them into your password manager now.</source>
        <translation>
            <numerusform>The codes are on the clipboard for %n second: paste them into your password manager now.</numerusform>
            <numerusform>The codes are on the clipboard for %n seconds: paste them into your password manager now.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>idle</name>
    <message numerus="yes">
        <source>You are logged out after %n minute(s) without using the keyboard or the mouse; using them moves this time on.</source>
        <translation>
            <numerusform>You are logged out after %n minute without using the keyboard or the mouse; using them moves this time on.</numerusform>
            <numerusform>You are logged out after %n minutes without using the keyboard or the mouse; using them moves this time on.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>texts</name>
    <message numerus="yes">
        <source>about %n minute(s) ahead</source>
        <translation>
            <numerusform>about %n minute ahead</numerusform>
            <numerusform>about %n minutes ahead</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>about %n minute(s) behind</source>
        <translation>
            <numerusform>about %n minute behind</numerusform>
            <numerusform>about %n minutes behind</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>about %n hour(s) {minutes} minutes ahead</source>
        <translation>
            <numerusform>about %n hour {minutes} minutes ahead</numerusform>
            <numerusform>about %n hours {minutes} minutes ahead</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>about %n hour(s) {minutes} minutes behind</source>
        <translation>
            <numerusform>about %n hour {minutes} minutes behind</numerusform>
            <numerusform>about %n hours {minutes} minutes behind</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>about %n hour(s) ahead</source>
        <translation>
            <numerusform>about %n hour ahead</numerusform>
            <numerusform>about %n hours ahead</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>about %n hour(s) behind</source>
        <translation>
            <numerusform>about %n hour behind</numerusform>
            <numerusform>about %n hours behind</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>about %n minute(s)</source>
        <translation>
            <numerusform>about %n minute</numerusform>
            <numerusform>about %n minutes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>about %n hour(s) {minutes} minutes</source>
        <translation>
            <numerusform>about %n hour {minutes} minutes</numerusform>
            <numerusform>about %n hours {minutes} minutes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>about %n hour(s)</source>
        <translation>
            <numerusform>about %n hour</numerusform>
            <numerusform>about %n hours</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n recovery code(s) left</source>
        <translation>
            <numerusform>%n recovery code left</numerusform>
            <numerusform>%n recovery codes left</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n day(s) ago</source>
        <translation>
            <numerusform>%n day ago</numerusform>
            <numerusform>%n days ago</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n hour(s) ago</source>
        <translation>
            <numerusform>%n hour ago</numerusform>
            <numerusform>%n hours ago</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n minute(s) ago</source>
        <translation>
            <numerusform>%n minute ago</numerusform>
            <numerusform>%n minutes ago</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>welcome</name>
    <message numerus="yes">
        <source>%n failed logon attempt(s) since then.</source>
        <translation>
            <numerusform>%n failed logon attempt since then.</numerusform>
            <numerusform>%n failed logon attempts since then.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n failed logon attempt(s) before this logon.</source>
        <translation>
            <numerusform>%n failed logon attempt before this logon.</numerusform>
            <numerusform>%n failed logon attempts before this logon.</numerusform>
        </translation>
    </message>
</context>
</TS>
