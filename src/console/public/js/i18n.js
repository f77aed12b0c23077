// Labels: Japanese by default, English on the switch in the header. The choice (a language code,
// nothing personal) is kept in localStorage so it survives the reload that ends a session.

const ja = {
  'app.title': 'マイナンバー管理コンソール',
  'app.footer': '個人番号は画面に一時的に表示するだけで、ブラウザには保存しません。',
  'common.working': '処理中…', 'common.next': '次へ', 'common.cancel': 'キャンセル', 'common.cancelled': '取り消しました',
  'common.done': '閉じる', 'common.empty': '該当するものはありません。', 'common.more': 'さらに表示', 'common.open': '開く', 'common.search': '検索',
  'login.title': 'ログイン', 'login.username': 'ユーザー名', 'login.password': 'パスワード', 'login.submit': 'ログイン',
  'login.wrong': 'ユーザー名またはパスワードが違います。', 'login.locked': 'ログインの失敗が続いたため、しばらくロックされています。時間をおいてお試しください。',
  'pw.initialTitle': '初期パスワードの変更', 'pw.changeTitle': 'パスワードの変更', 'pw.rules': '12文字以上で、ユーザー名を含まず、前回と異なるパスワードにしてください。',
  'pw.current': '現在のパスワード', 'pw.new': '新しいパスワード', 'pw.again': '新しいパスワード（確認）', 'pw.mismatch': '確認用のパスワードが一致しません。',
  'pw.change': '変更する', 'pw.changed': 'パスワードを変更しました。ほかのセッションは終了しました。',
  'enrol.title': '二要素認証の登録', 'enrol.scan': '認証アプリ（Google Authenticator など）でこのQRコードを読み取ってください。',
  'enrol.manual': '読み取れない場合はこのキーを入力してください：', 'enrol.qrAlt': '認証アプリ登録用のQRコード', 'enrol.code': 'アプリに表示された6桁のコード', 'enrol.activate': '登録する',
  'recovery.title': 'リカバリーコード', 'recovery.explain': '認証アプリを使えないときのためのコードです（各1回限り）。この画面でしか表示されません。安全な場所に控えてください。',
  'recovery.confirm': 'リカバリーコードを控えました', 'recovery.continue': '続ける',
  'totp.title': '二要素認証', 'totp.code': '認証アプリの6桁のコード', 'totp.recoveryTitle': 'リカバリーコードでログイン', 'totp.recoveryCode': 'リカバリーコード',
  'totp.useRecovery': 'リカバリーコードを使う', 'totp.useApp': '認証アプリのコードを使う', 'totp.wrong': 'コードが正しくないか、すでに使われています。',
  'stepup.title': '本人確認（ステップアップ）', 'stepup.explain': '個人番号を表示する前に、認証アプリの新しいコードを入力してください。', 'stepup.confirm': '確認する', 'stepup.cancelled': '本人確認を取り消したため、表示しませんでした。',
  'nav.label': 'メニュー', 'nav.people': '対象者', 'nav.bulk': '年末一括取得', 'nav.audit': '監査ログ', 'nav.staff': '職員アカウント', 'nav.retention': '廃棄アラーム',
  'nav.training': '取扱規程', 'nav.account': 'アカウント', 'nav.logout': 'ログアウト',
  'logout.done': 'ログアウトしました。', 'logout.idle': '一定時間操作がなかったため、ログアウトしました。', 'logout.ended': 'セッションが終了しました。もう一度ログインしてください。',
  'role.clerk': '事務取扱担当者', 'role.auditor': '監査担当者', 'role.admin': '管理者',
  'kind.employee': '従業員', 'kind.dependent': '配偶者・扶養親族', 'kind.payee': '支払先',
  'account.title': 'アカウント', 'account.username': 'ユーザー名', 'account.roles': '役割', 'account.lastLogin': '最終ログイン', 'account.stepUpAt': '最終の本人確認',
  'training.title': '取扱規程', 'training.banner': '取扱規程の確認が必要です。確認するまで個人番号は表示できません。', 'training.current': '確認済み（{at}）',
  'training.notCurrent': '未確認、または有効期限切れです。', 'training.readIt': '取扱規程を読み、内容を理解しました', 'training.ack': '確認を記録する', 'training.done': '確認を記録しました。',
  'people.title': '対象者一覧', 'people.search': 'キーワード', 'people.searchHint': 'コード・氏名・カナ', 'people.kind': '区分', 'people.allKinds': 'すべての区分',
  'people.state': '在籍', 'people.allStates': 'すべて', 'people.active': '在籍中', 'people.left': '退職・終了', 'people.register': '対象者を登録',
  'people.registerSubmit': '登録する', 'people.code': 'コード', 'people.name': '氏名', 'people.kana': 'フリガナ', 'people.employee': '扶養する従業員',
  'people.leaveTitle': '退職・終了日', 'people.leaveHint': '退職日（扶養から外れた日、契約終了日）を記録すると、保存期間の終了日（廃棄期限）が計算されます。空欄にすると在籍に戻ります。', 'people.leaveSave': '保存',
  'people.employeeHint': '扶養親族の場合は必須です。', 'people.employeeSearch': '従業員を検索', 'people.hiredAt': '入社日・契約開始日', 'people.leftAt': '退職日・終了日',
  'purposes.title': '通知した利用目的', 'purposes.explain': '本人に通知した利用目的だけに個人番号を利用できます。', 'purposes.at': '通知日時', 'purposes.save': '利用目的を保存',
  'number.title': '個人番号', 'number.none': '未登録', 'number.onFile': '登録済み', 'number.checked': '本人確認済み', 'number.storedAt': '登録日時',
  'number.identityCheck': '本人確認（番号確認・身元確認）', 'number.storeTitle': '個人番号の登録', 'number.correctTitle': '個人番号の訂正',
  'number.input': '個人番号（12桁）', 'number.numberDocument': '番号確認の書類', 'number.identityDocuments': '身元確認の書類',
  'number.identityHint': 'マイナンバーカードは番号確認と身元確認を兼ねます。それ以外は写真付きの書類1点、または写真のない書類2点が必要です。',
  'number.checkedAt': '確認日時', 'number.store': '登録する', 'number.correct': '訂正する', 'number.duplicate': 'この番号は別の対象者に登録されています。',
  'mn.prompt': '12桁の番号を入力してください（スペース・ハイフン・全角数字も可）。', 'mn.ok': '形式とチェックデジットは正しいです。',
  'mn.notString': '番号を文字で入力してください。', 'mn.tooLong': '入力が長すぎます。', 'mn.empty': '番号が空です。',
  'mn.notDigits': '数字・スペース・ハイフン以外の文字が含まれています。', 'mn.length': '12桁が必要です（現在 {count} 桁）。', 'mn.checkDigit': 'チェックデジットが一致しません。入力を確認してください。',
  'reveal.title': '個人番号の表示', 'reveal.purpose': '利用目的', 'reveal.button': '表示する', 'reveal.hidden': '●●●● ●●●● ●●●●（非表示）',
  'reveal.hideNow': '今すぐ隠す', 'reveal.countdown': 'あと {s} 秒で非表示', 'reveal.explain': '表示は監査ログに記録され、{s} 秒後に自動的に隠れます。',
  'reveal.noPurpose': '通知した利用目的がないため表示できません。',
  'bulk.title': '年末一括取得', 'bulk.explain': '利用目的に沿って、対象者全員の個人番号をCSVでダウンロードします。1人ごとに監査ログへ記録されます。ファイルの取扱いに注意してください。',
  'bulk.year': '在籍していた年', 'bulk.q': '対象者を絞り込む（任意）', 'bulk.qHint': 'キーワードに一致する人だけ（在籍年の条件は使いません）', 'bulk.submit': 'CSVをダウンロード', 'bulk.done': 'ダウンロードしました：{rows} 件、対象外 {skipped} 件。', 'bulk.downloaded': 'ダウンロードしました。',
  'audit.title': '監査ログ（取扱状況の記録）', 'audit.actor': '操作者', 'audit.actorHint': 'ユーザー名またはID', 'audit.subject': '対象者ID', 'audit.purpose': '利用目的',
  'audit.action': '操作', 'audit.from': '開始日', 'audit.to': '終了日', 'audit.at': '日時', 'audit.outcome': '結果',
  'audit.integrity': '改ざん検証', 'audit.verify': 'ハッシュチェーンを検証', 'audit.export': 'エクスポート（チェックポイント付き）', 'audit.certificate': '署名証明書をダウンロード',
  'audit.intact': '改ざんは見つかりませんでした（{entries} 件のエントリ、{checkpoints} 件のチェックポイントを検証）。',
  'audit.broken': '不整合があります：最初の不一致は #{seq}（{reason}）。', 'audit.review': 'レビューの承認', 'audit.upTo': 'ここまで確認したエントリ番号',
  'audit.note': 'コメント', 'audit.signOff': '承認する', 'audit.signed': '#{seq} までのレビューを承認しました。', 'audit.alerts': '不審な利用のアラート',
  'audit.noAlerts': '過去7日間にアラートはありません。', 'audit.alertKind': '種類', 'audit.detail': '件数・範囲',
  'alert.reveals-per-hour': '1時間あたりの表示回数超過', 'alert.outside-working-hours': '業務時間外の利用', 'alert.refused-reveals': '拒否された表示の多発',
  'staff.title': '職員アカウント一覧', 'staff.create': 'アカウントを作成', 'staff.createSubmit': '作成する', 'staff.showDeactivated': '無効化したアカウントも表示',
  'staff.username': 'ユーザー名', 'staff.usernameHint': '英小文字で始まる32文字まで', 'staff.displayName': '表示名', 'staff.status': '状態',
  'staff.active': '有効', 'staff.deactivated': '無効', 'staff.totp': '二要素', 'staff.training': '取扱規程', 'staff.trainingDue': '要確認',
  'staff.dormant': '休眠', 'staff.dormantFlag': '休眠（要見直し）', 'staff.manage': '管理', 'staff.created': '{username} を作成しました',
  'staff.initialPassword': '初期パスワード（この画面でのみ表示。初回ログイン時に変更が必要です）：', 'staff.saveRoles': '役割を保存', 'staff.rolesSaved': '役割を変更しました。',
  'staff.resetTotp': '二要素認証をリセット', 'staff.resetHint': '認証アプリを失くした場合：次回ログイン時に再登録となり、すべてのセッションが終了します。', 'staff.totpReset': '二要素認証をリセットしました。',
  'staff.reason': '無効化の理由', 'staff.deactivateHint': '退職・異動など。すべてのセッションが直ちに終了し、元に戻せません。', 'staff.deactivate': 'アカウントを無効化',
  'staff.deactivatedDone': 'アカウントを無効化しました。', 'staff.confirmDeactivate': '{username} を無効化します。よろしいですか？',
  'alarm.title': '廃棄アラーム', 'alarm.explain': '保存期間が終わった個人番号は、速やかに廃棄してください。廃棄すると暗号文と鍵が削除され、番号を含まない廃棄記録が残ります。',
  'alarm.show': '表示', 'alarm.open': '未対応', 'alarm.postponed': '延期', 'alarm.disposed': '廃棄済み', 'alarm.withdrawn': '取り下げ',
  'alarm.due': '廃棄期限', 'alarm.rule': '根拠', 'alarm.none': 'アラームはありません。', 'alarm.dispose': '廃棄する', 'alarm.disposeAll': '未対応をすべて廃棄',
  'alarm.postpone': '延期する', 'alarm.until': '延期期限', 'alarm.reason': '延期の理由', 'alarm.noteHint': '番号を書かないでください。',
  'alarm.confirmDispose': 'この個人番号を廃棄します。元に戻せません。よろしいですか？', 'alarm.confirmDisposeAll': '未対応のアラームをすべて廃棄します。元に戻せません。よろしいですか？',
  'alarm.disposedDone': '廃棄しました。廃棄記録を作成しました。', 'alarm.postponedDone': '延期しました。', 'alarm.batchDone': '一括廃棄：{disposed} 件を廃棄、{refused} 件は対象外でした。',
  'alarm.ruleLeft': '退職等（より長く保存すべき書類なし）', 'disposal.by': '実施者',
  'disposal.title': '廃棄記録（削除・廃棄記録）', 'disposal.at': '廃棄日時', 'disposal.method': '方法', 'disposal.note': 'メモ',
  // --- collection links (issue #15) ---
  'nav.collection': '番号の収集',
  'collection.title': '番号の収集（本人からの提出）', 'collection.explain': '従業員ごとに1回だけ使えるリンクを作り、スマートフォンから本人に番号・扶養親族・本人確認書類の写真を提出してもらいます。リンクは作成時にだけ表示されます。',
  'collection.createSelected': '選んだ人のリンクを作成', 'collection.createAll': '番号未登録の全従業員に作成', 'collection.pickSomeone': '対象者を選んでください。',
  'collection.created': '{n} 件のリンクを作成しました（{skipped} 件は作成済みのため省略）。', 'collection.qrAlt': '提出用リンクのQRコード',
  'collection.sheetText': 'マイナンバーのご提出をお願いします。スマートフォンでQRコードを読み取り、画面の案内に従ってください。このリンクはあなた専用で、1回だけ使えます。',
  'collection.expires': '有効期限：{at}', 'collection.print': '配布用シートを印刷', 'collection.email': 'メールで送る（アドレスは保存しません）', 'collection.sendMail': '送信',
  'collection.mailReissues': 'メール送信ではリンクを作り直して送ります（この画面のリンクとQRコードは使えなくなります）。',
  'collection.mailed': 'メールを送信しました。', 'collection.mailFailed': 'メールを送信できませんでした。',
  'collection.requestsTitle': '依頼の一覧', 'collection.status': '状態', 'collection.expiresAt': '有効期限', 'collection.startedAt': '開いた日時',
  'collection.st.open': '未提出', 'collection.st.submitted': '確認待ち', 'collection.st.approved': '登録済み', 'collection.st.cancelled': '取消済み', 'collection.st.expired': '期限切れ',
  'collection.reissue': '再発行', 'collection.cancel': '取消',
  'collection.reviewTitle': '確認待ちの提出', 'collection.flagged': '要確認：他の人に登録済みの番号があります', 'collection.duplicate': '他の人に登録済み',
  'collection.submittedAt': '提出：{at}（利用目的の確認：{ack}）', 'collection.documents': '本人確認書類：{docs}', 'collection.self': '本人',
  'collection.revealNumbers': '番号を表示（本人確認のため・記録されます）', 'collection.openImage': '{doc}（{side}）の写真を開く', 'collection.side.front': 'おもて', 'collection.side.back': 'うら',
  'collection.approve': '承認して登録', 'collection.return': '差し戻す', 'collection.returnReason': '差し戻しの理由',
  'collection.approved': '承認しました。番号を登録し、写真を削除しました。', 'collection.returned': '差し戻しました。リンクはもう一度使えます。',
  'collection.ret.image-unreadable': '写真が読み取れない', 'collection.ret.number-mismatch': '番号が書類と一致しない', 'collection.ret.documents-insufficient': '書類が足りない', 'collection.ret.other': 'その他',
  'collection.np.declined': '提出しない（本人の希望）', 'collection.np.not-issued': '提出しない（番号なし・不明）', 'collection.np.lives-abroad': '提出しない（海外居住）', 'collection.np.other': '提出しない（その他）',
  'collection.rel.spouse': '配偶者', 'collection.rel.child': '子', 'collection.rel.parent': '父母', 'collection.rel.other': 'その他',
  'collection.err.collection.number-on-another-record': '提出された番号が他の人に登録済みです。本人に確認し、差し戻してください。',
  'collection.err.collection.mail-not-configured': 'メール送信（SMTP）が設定されていません。QRコードか印刷したシートで渡してください。',
  'collection.err.collection.submission-not-waiting': 'この提出はすでに処理されています。',
  'collection.err.collection.request-not-open': 'このリンクは未提出ではないため、操作できません。',
  // login storm (issue #21): the server refused a password check as busy; the console retries by itself
  'login.busy': 'ただいまログインが集中しています。{seconds} 秒ほどで自動的にもう一度試します。このままお待ちください。',
  'login.busyGaveUp': 'ログインが混み合っています。少し時間をおいて、もう一度ログインしてください。',
  // separation of duties and number screening (issue #16)
  'staff.sodException': '職務分離の例外（一人会社）',
  'err.roles.own-change': '自分の役割は変更できません。別の管理者に依頼してください。',
  'err.roles.clerk-and-auditor': '事務取扱担当者と監査担当者は同じアカウントに付与できません。',
  'err.roles.admin-and-clerk': '管理者と事務取扱担当者を同じアカウントに付与できるのは一人会社の設定のときだけです。',
  'err.input.number-like': '個人番号と思われる数字（12桁）は入力できません。',
  'err.auth.second-factor-backoff': '確認コードの誤りが続いたため、しばらく待ってからもう一度ログインしてください。',
};

const en = {
  'app.title': 'My Number vault console',
  'app.footer': 'Numbers are shown on screen for a moment only and never stored in the browser.',
  'common.working': 'Working…', 'common.next': 'Next', 'common.cancel': 'Cancel', 'common.cancelled': 'Cancelled',
  'common.done': 'Close', 'common.empty': 'Nothing found.', 'common.more': 'Show more', 'common.open': 'Open', 'common.search': 'Search',
  'login.title': 'Sign in', 'login.username': 'Username', 'login.password': 'Password', 'login.submit': 'Sign in',
  'login.wrong': 'Wrong username or password.', 'login.locked': 'Too many failed attempts: the account is locked for a while. Try again later.',
  'pw.initialTitle': 'Change your initial password', 'pw.changeTitle': 'Change password', 'pw.rules': 'At least 12 characters, not containing your username, not the previous one.',
  'pw.current': 'Current password', 'pw.new': 'New password', 'pw.again': 'New password (again)', 'pw.mismatch': 'The two new passwords differ.',
  'pw.change': 'Change', 'pw.changed': 'Password changed. Your other sessions have ended.',
  'enrol.title': 'Set up two-factor authentication', 'enrol.scan': 'Scan this QR code with an authenticator app (Google Authenticator, etc.).',
  'enrol.manual': 'Or type this key:', 'enrol.qrAlt': 'QR code for the authenticator app', 'enrol.code': 'The 6-digit code from the app', 'enrol.activate': 'Activate',
  'recovery.title': 'Recovery codes', 'recovery.explain': 'Use one of these when your authenticator is not at hand (each works once). They are shown only now: keep them somewhere safe.',
  'recovery.confirm': 'I have stored the recovery codes', 'recovery.continue': 'Continue',
  'totp.title': 'Two-factor authentication', 'totp.code': '6-digit code from your authenticator app', 'totp.recoveryTitle': 'Sign in with a recovery code', 'totp.recoveryCode': 'Recovery code',
  'totp.useRecovery': 'Use a recovery code', 'totp.useApp': 'Use the authenticator app', 'totp.wrong': 'The code is wrong or was already used.',
  'stepup.title': 'Confirm it is you (step-up)', 'stepup.explain': 'Enter a fresh code from your authenticator app before a number is shown.', 'stepup.confirm': 'Confirm', 'stepup.cancelled': 'Step-up cancelled: nothing was shown.',
  'nav.label': 'Menu', 'nav.people': 'People', 'nav.bulk': 'Year-end retrieval', 'nav.audit': 'Audit log', 'nav.staff': 'Staff accounts', 'nav.retention': 'Disposal alarms',
  'nav.training': 'Handling rules', 'nav.account': 'Account', 'nav.logout': 'Sign out',
  'logout.done': 'Signed out.', 'logout.idle': 'Signed out after a period without activity.', 'logout.ended': 'Your session has ended. Please sign in again.',
  'role.clerk': 'Clerk', 'role.auditor': 'Auditor', 'role.admin': 'Admin',
  'kind.employee': 'Employee', 'kind.dependent': 'Spouse or dependent', 'kind.payee': 'Payee',
  'account.title': 'Account', 'account.username': 'Username', 'account.roles': 'Roles', 'account.lastLogin': 'Last sign-in', 'account.stepUpAt': 'Last step-up',
  'training.title': 'Handling rules', 'training.banner': 'Please acknowledge the handling rules: numbers cannot be shown until you do.', 'training.current': 'Acknowledged ({at})',
  'training.notCurrent': 'Not acknowledged, or expired.', 'training.readIt': 'I have read and understood the handling rules', 'training.ack': 'Record acknowledgement', 'training.done': 'Acknowledgement recorded.',
  'people.title': 'People', 'people.search': 'Search', 'people.searchHint': 'code, name or kana', 'people.kind': 'Kind', 'people.allKinds': 'All kinds',
  'people.state': 'Status', 'people.allStates': 'All', 'people.active': 'Active', 'people.left': 'Left / ended', 'people.register': 'Register a person',
  'people.registerSubmit': 'Register', 'people.code': 'Code', 'people.name': 'Name', 'people.kana': 'Name (kana)', 'people.employee': 'Employee (for a dependent)',
  'people.leaveTitle': 'Leave date', 'people.leaveHint': 'The day the person left (dependent removed, payee contract ended) sets when the number is due for disposal. Empty it if the person returns.', 'people.leaveSave': 'Save',
  'people.employeeHint': 'Required for a dependent.', 'people.employeeSearch': 'Find the employee', 'people.hiredAt': 'Hired / contract start', 'people.leftAt': 'Left / contract end',
  'purposes.title': 'Purposes told', 'purposes.explain': 'A number may be used only for the purposes the person was told of.', 'purposes.at': 'Told at', 'purposes.save': 'Save purposes',
  'number.title': 'My Number', 'number.none': 'not on file', 'number.onFile': 'on file', 'number.checked': 'identity checked', 'number.storedAt': 'Stored at',
  'number.identityCheck': 'Identity check (number and person)', 'number.storeTitle': 'Store the number', 'number.correctTitle': 'Correct the number',
  'number.input': 'My Number (12 digits)', 'number.numberDocument': 'Document proving the number', 'number.identityDocuments': 'Documents proving the person',
  'number.identityHint': 'A My Number card proves both. Otherwise one photo ID or two documents without a photo.',
  'number.checkedAt': 'Checked at', 'number.store': 'Store', 'number.correct': 'Correct', 'number.duplicate': 'This number is on file for another person.',
  'mn.prompt': 'Enter the 12 digits (spaces, hyphens and full-width digits are fine).', 'mn.ok': 'Format and check digit are correct.',
  'mn.notString': 'Enter the number as text.', 'mn.tooLong': 'The input is too long.', 'mn.empty': 'The number is empty.',
  'mn.notDigits': 'Only digits, spaces and hyphens are allowed.', 'mn.length': '12 digits needed (now {count}).', 'mn.checkDigit': 'The check digit does not match: please check the input.',
  'reveal.title': 'Show the number', 'reveal.purpose': 'Purpose', 'reveal.button': 'Show', 'reveal.hidden': '●●●● ●●●● ●●●● (hidden)',
  'reveal.hideNow': 'Hide now', 'reveal.countdown': 'hidden in {s} s', 'reveal.explain': 'Each reveal is recorded in the audit log; the number hides itself after {s} seconds.',
  'reveal.noPurpose': 'No purpose was told to this person, so the number cannot be shown.',
  'bulk.title': 'Year-end bulk retrieval', 'bulk.explain': 'Downloads, for one purpose, the numbers of everyone selected as CSV. Each person is recorded in the audit log. Handle the file with care.',
  'bulk.year': 'Active in year', 'bulk.q': 'Only people matching (optional)', 'bulk.qHint': 'only people matching the keyword (the year is then not used)', 'bulk.submit': 'Download CSV', 'bulk.done': 'Downloaded: {rows} rows, {skipped} skipped.', 'bulk.downloaded': 'Downloaded.',
  'audit.title': 'Audit log', 'audit.actor': 'Actor', 'audit.actorHint': 'username or id', 'audit.subject': 'Person id', 'audit.purpose': 'Purpose',
  'audit.action': 'Action', 'audit.from': 'From', 'audit.to': 'To', 'audit.at': 'Time', 'audit.outcome': 'Outcome',
  'audit.integrity': 'Integrity', 'audit.verify': 'Verify the hash chain', 'audit.export': 'Export (with checkpoints)', 'audit.certificate': 'Download signing certificate',
  'audit.intact': 'Intact: {entries} entries and {checkpoints} checkpoints checked.',
  'audit.broken': 'NOT intact: first bad entry #{seq} ({reason}).', 'audit.review': 'Review sign-off', 'audit.upTo': 'Reviewed up to entry',
  'audit.note': 'Note', 'audit.signOff': 'Sign off', 'audit.signed': 'Review signed up to #{seq}.', 'audit.alerts': 'Unusual-use alerts',
  'audit.noAlerts': 'No alerts in the last 7 days.', 'audit.alertKind': 'Kind', 'audit.detail': 'Count / range',
  'alert.reveals-per-hour': 'Too many reveals in an hour', 'alert.outside-working-hours': 'Use outside working hours', 'alert.refused-reveals': 'Many refused reveals',
  'staff.title': 'Staff accounts', 'staff.create': 'Create an account', 'staff.createSubmit': 'Create', 'staff.showDeactivated': 'Show deactivated accounts',
  'staff.username': 'Username', 'staff.usernameHint': 'starts with a lower-case letter, up to 32 characters', 'staff.displayName': 'Display name', 'staff.status': 'Status',
  'staff.active': 'active', 'staff.deactivated': 'deactivated', 'staff.totp': '2FA', 'staff.training': 'Handling rules', 'staff.trainingDue': 'due',
  'staff.dormant': 'Dormant', 'staff.dormantFlag': 'dormant: review', 'staff.manage': 'Manage', 'staff.created': '{username} created',
  'staff.initialPassword': 'Initial password (shown only now; must be changed at first sign-in):', 'staff.saveRoles': 'Save roles', 'staff.rolesSaved': 'Roles changed.',
  'staff.resetTotp': 'Reset second factor', 'staff.resetHint': 'Lost authenticator: the next sign-in enrols again; every session ends.', 'staff.totpReset': 'Second factor reset.',
  'staff.reason': 'Reason for deactivation', 'staff.deactivateHint': 'Left the company, moved… Every session ends at once; this is final.', 'staff.deactivate': 'Deactivate account',
  'staff.deactivatedDone': 'Account deactivated.', 'staff.confirmDeactivate': 'Deactivate {username}?',
  'alarm.title': 'Disposal alarms', 'alarm.explain': 'Numbers whose retention has ended must be disposed of without delay. Disposal deletes the ciphertext and its key and keeps a disposal record without the number.',
  'alarm.show': 'Show', 'alarm.open': 'open', 'alarm.postponed': 'postponed', 'alarm.disposed': 'disposed', 'alarm.withdrawn': 'withdrawn',
  'alarm.due': 'Due', 'alarm.rule': 'Rule', 'alarm.none': 'No alarms.', 'alarm.dispose': 'Dispose', 'alarm.disposeAll': 'Dispose of all open',
  'alarm.postpone': 'Postpone', 'alarm.until': 'Until', 'alarm.reason': 'Reason', 'alarm.noteHint': 'Never write a number here.',
  'alarm.confirmDispose': 'Dispose of this number? This cannot be undone.', 'alarm.confirmDisposeAll': 'Dispose of every open alarm? This cannot be undone.',
  'alarm.disposedDone': 'Disposed of; a disposal record was written.', 'alarm.postponedDone': 'Postponed.', 'alarm.batchDone': 'Batch disposal: {disposed} disposed, {refused} refused.',
  'alarm.ruleLeft': 'left (no filing keeps it longer)', 'disposal.by': 'By',
  'disposal.title': 'Disposal records', 'disposal.at': 'Disposed at', 'disposal.method': 'Method', 'disposal.note': 'Note',
  // --- collection links (issue #15) ---
  'nav.collection': 'Collection',
  'collection.title': 'Collect numbers from the people themselves', 'collection.explain': 'Create a single-use link per employee; they hand in their number, their dependents and photos of their identity documents from a phone. A link is shown only when it is created.',
  'collection.createSelected': 'Create links for the selected', 'collection.createAll': 'Create for every employee without a number', 'collection.pickSomeone': 'Select someone first.',
  'collection.created': '{n} links created ({skipped} skipped: a link is already open).', 'collection.qrAlt': 'QR code of the submission link',
  'collection.sheetText': 'Please hand in your My Number: scan the QR code with your phone and follow the page. The link is yours alone and works once.',
  'collection.expires': 'Valid until {at}', 'collection.print': 'Print the sheets', 'collection.email': 'Send by e-mail (the address is not stored)', 'collection.sendMail': 'Send',
  'collection.mailReissues': 'Sending by e-mail makes a new link (the link and QR code on this screen stop working).',
  'collection.mailed': 'Mail sent.', 'collection.mailFailed': 'The mail could not be sent.',
  'collection.requestsTitle': 'Requests', 'collection.status': 'Status', 'collection.expiresAt': 'Expires', 'collection.startedAt': 'Opened',
  'collection.st.open': 'open', 'collection.st.submitted': 'waiting for review', 'collection.st.approved': 'stored', 'collection.st.cancelled': 'cancelled', 'collection.st.expired': 'expired',
  'collection.reissue': 'Reissue', 'collection.cancel': 'Cancel',
  'collection.reviewTitle': 'Waiting for review', 'collection.flagged': "Check: a number is already on another person's record", 'collection.duplicate': 'on another record',
  'collection.submittedAt': 'Submitted {at} (purposes acknowledged {ack})', 'collection.documents': 'Identity documents: {docs}', 'collection.self': 'Self',
  'collection.revealNumbers': 'Show numbers (identity check, recorded)', 'collection.openImage': 'Open photo: {doc} ({side})', 'collection.side.front': 'front', 'collection.side.back': 'back',
  'collection.approve': 'Approve and store', 'collection.return': 'Send back', 'collection.returnReason': 'Reason',
  'collection.approved': 'Approved: numbers stored, photos deleted.', 'collection.returned': 'Sent back: the link works again.',
  'collection.ret.image-unreadable': 'photo unreadable', 'collection.ret.number-mismatch': 'number does not match the document', 'collection.ret.documents-insufficient': 'documents missing', 'collection.ret.other': 'other',
  'collection.np.declined': 'not provided (declined)', 'collection.np.not-issued': 'not provided (none / unknown)', 'collection.np.lives-abroad': 'not provided (lives abroad)', 'collection.np.other': 'not provided (other)',
  'collection.rel.spouse': 'spouse', 'collection.rel.child': 'child', 'collection.rel.parent': 'parent', 'collection.rel.other': 'other',
  'collection.err.collection.number-on-another-record': "A submitted number is already on another person's record; check with the person and send it back.",
  'collection.err.collection.mail-not-configured': 'No SMTP server is configured; hand over the QR code or the printed sheet instead.',
  'collection.err.collection.submission-not-waiting': 'This submission was already handled.',
  'collection.err.collection.request-not-open': 'This link is not open.',
  // login storm (issue #21): the server refused a password check as busy; the console retries by itself
  'login.busy': 'Many people are signing in right now. Trying again by itself in about {seconds} seconds; please wait.',
  'login.busyGaveUp': 'Sign-in is very busy. Please wait a little and sign in again.',
  // separation of duties and number screening (issue #16)
  'staff.sodException': 'Separation-of-duties exception (one-person company)',
  'err.roles.own-change': 'You cannot change your own roles. Ask another admin.',
  'err.roles.clerk-and-auditor': 'Clerk and auditor cannot be held by one account.',
  'err.roles.admin-and-clerk': 'Admin and clerk together are allowed only in a one-person company.',
  'err.input.number-like': 'A number that looks like a My Number (12 digits) is not allowed here.',
  'err.auth.second-factor-backoff': 'Too many wrong codes: wait a moment, then sign in again.',
};

export const DICTIONARIES = { ja, en };
const KEY = 'mnv.console.lang';
let lang = readLang();
const listeners = [];

function readLang() {
  try {
    const stored = localStorage.getItem(KEY);
    return stored === 'en' || stored === 'ja' ? stored : 'ja';
  } catch {
    return 'ja';
  }
}

export function getLang() {
  return lang;
}

export function setLang(value) {
  lang = value === 'en' ? 'en' : 'ja';
  try {
    localStorage.setItem(KEY, lang);
  } catch {
    // storage refused (private mode): the switch still works for this page
  }
  for (const fn of listeners) fn(lang);
}

export function onLangChange(fn) {
  listeners.push(fn);
}

/** t('reveal.countdown', { s: 30 }) → the label in the current language, {name} filled in. */
export function t(key, params = {}) {
  const text = DICTIONARIES[lang][key] ?? DICTIONARIES.ja[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (params[name] === undefined ? '' : String(params[name])));
}
