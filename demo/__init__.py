"""The demo world: a synthetic telecom news site and a local alert receiver.

``demo.newsite.NewsSite`` serves fictional Korean (UTF-8 and EUC-KR) and English articles and
feeds on 127.0.0.1 with faults on demand; ``demo.receiver.WebhookReceiver`` records what Apprise
delivers; ``demo.manifest.load_manifest()`` says what is true of every page (stories, entities,
traps). Everything here is written for newsmon; no real outlet's text is used.
"""
