//! The form's submit flow, without signals: sign-in (a token where the
//! switch has them) and, once per sign-in, whether it may create
//! conferences at all; a look-up after a lost reply, `validation=1`, one
//! re-sign-in when our token expired, and the real create; and the
//! suggestion of an unused code. It talks to the switch through [`Api`] and
//! reads and writes only the draft and the [`Session`], so its tests run
//! natively with a fake switch. A crate of its own, on the core alone, so
//! that nothing of the browser is built for them; the app implements
//! [`Api`] over HTTP and shows the results.

use conference::reply::{self, Accepted, Invalid, Outcome, Refusal, Unexpected};
use conference::{form, Conference, Credentials, Draft, Field, Message};

/// The switch, as the flow needs it: one form POST to an API function.
/// Generic, not `dyn`: the bundle holds one instantiation, the real one.
#[allow(async_fn_in_trait)] // Used on one thread only: no `Send` bound wanted.
pub trait Api {
    /// The HTTP status and body of `function`'s reply.
    async fn post(&self, function: &str, body: String) -> Result<(u16, Vec<u8>), NetError>;
}

/// Why a call to the switch brought no reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NetError {
    /// No reply within the configured time.
    Timeout,
    /// The request could not be sent or the reply not read.
    Network,
}

/// What the flow learns about the switch and the last attempt, kept by the
/// app between attempts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Session {
    /// `Some(false)` once the switch has shown it hands out no tokens.
    pub tokens_supported: Option<bool>,
    /// The draft's token came from our own sign-in, so a 401 may sign in
    /// again and a change of the sign-in typed ends it. Only the methods
    /// below change it: they are the rule for whose token goes when.
    token_is_ours: bool,
    /// The code of a create whose reply was lost: a retry checks it first.
    pub uncertain_code: Option<String>,
    /// The switch has not refused this sign-in the right to create
    /// conferences (see [`check_access`]): asked once per sign-in.
    may_create: bool,
}

impl Session {
    /// The username or password typed changed. A token from our own sign-in
    /// was for the old ones, so it goes; a host page's token is not tied to
    /// what is typed and stays.
    pub fn sign_in_changed(&mut self, draft: &mut Draft) {
        if self.token_is_ours {
            self.drop_token(draft);
        }
        // Someone else may be signing in: ask the switch about them.
        self.may_create = false;
    }

    /// Whether this sign-in's right to create conferences was already asked.
    pub fn access_known(&self) -> bool {
        self.may_create
    }

    /// Our sign-in brought a token: the draft sends it from now on.
    fn signed_in(&mut self, draft: &mut Draft, token: &str) {
        self.tokens_supported = Some(true);
        self.token_is_ours = true;
        draft.set(Field::AuthToken, token);
    }

    /// The switch refused the token (ours or the host page's): it goes.
    fn drop_token(&mut self, draft: &mut Draft) {
        draft.set(Field::AuthToken, "");
        self.token_is_ours = false;
    }
}

/// The step running, for the status line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Step {
    SigningIn,
    LookingUp,
    Validating,
    Creating,
    Suggesting,
}

impl Step {
    /// Its message id.
    pub fn message(self) -> &'static str {
        match self {
            Step::SigningIn => "status.signing_in",
            Step::LookingUp => "status.looking_up",
            Step::Validating => "status.validating",
            Step::Creating => "status.creating",
            Step::Suggesting => "status.suggesting",
        }
    }
}

/// The conference the switch created: its ID, and what was sent for it,
/// the one source of everything the created view shows and the
/// invitations and calendar file say (boxed: it is large, and the app
/// keeps it in an enum of small states).
#[derive(Clone, Debug, PartialEq)]
pub struct CreatedConference {
    pub id: u64,
    pub conference: Box<Conference>,
}

/// How an attempt stopped short of a conference; nothing typed is lost.
#[derive(Debug, PartialEq)]
pub enum NotCreated {
    /// The switch refused values: its problems, for the fields and summary.
    Refused(Vec<ServerProblem>),
    /// The switch refused the username and password typed.
    BadSignIn,
    /// Nothing to sign in with, or (`expired`) the host page's token ended.
    SignInNeeded {
        expired: bool,
    },
    /// This account may not create conferences (its role, 402, or its rate
    /// plan, 403): nothing the person can change in the form.
    Denied,
    Failed(Failure),
}

/// A problem the switch reported, on the fields its key names (none for a
/// key we do not know: it shows in the summary only).
#[derive(Clone, Debug, PartialEq)]
pub struct ServerProblem {
    pub fields: Vec<Field>,
    pub message: Message,
}

/// Why the last attempt to talk to the switch did not end in a conference:
/// plain words, and what came back when it was unexpected.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    pub message: Message,
    pub detail: Option<Unexpected>,
    /// Trying again may help (a timeout, a failing service).
    pub retry: bool,
}

/// What the app asks of the switch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Request {
    /// [`check_access`]
    Check,
    /// [`suggest_code`]
    Suggest,
    /// [`create_conference`]
    Create,
}

/// What a [`Request`] brought.
#[derive(Debug, PartialEq)]
pub enum Done {
    Checked,
    Suggested(Option<String>),
    Created(CreatedConference),
}

/// Runs one request: one entry point, so the app holds one copy of the
/// code that runs a call and takes its answer, whichever it is.
pub async fn run(
    api: &impl Api,
    session: &mut Session,
    draft: &mut Draft,
    step: &dyn Fn(Step),
    request: Request,
) -> Result<Done, NotCreated> {
    match request {
        Request::Check => check_access(api, session, draft, step)
            .await
            .map(|()| Done::Checked),
        Request::Suggest => suggest_code(api, session, draft, step)
            .await
            .map(Done::Suggested),
        Request::Create => create_conference(api, session, draft, step)
            .await
            .map(Done::Created),
    }
}

/// Creates the conference the draft describes. The draft's token is the one
/// to send; the flow replaces it after a sign-in and clears it when refused.
pub async fn create_conference(
    api: &impl Api,
    session: &mut Session,
    draft: &mut Draft,
    step: &dyn Fn(Step),
) -> Result<CreatedConference, NotCreated> {
    // The form's own check passed, so this cannot fail; be safe anyway.
    let conference = Conference::from_draft(draft).map_err(|_| NotCreated::Refused(Vec::new()))?;
    let mut credentials = sign_in(api, session, draft, step).await?;

    // A create whose reply was lost may have happened: look before repeating it.
    if session.uncertain_code.as_deref() == Some(conference.code()) {
        step(Step::LookingUp);
        let body = find(conference.code(), &credentials);
        match read(api.post("conferences/get", body).await, reply::parse_get) {
            Ok(id) => {
                session.uncertain_code = None;
                return Ok(created(&conference, id));
            }
            Err(Stop::Reply(Outcome::NotFound)) => session.uncertain_code = None,
            // Still unclear (or signed out): say so, and keep remembering the code.
            Err(stop) => return Err(stopped(session, draft, stop, true)),
        }
    }

    step(Step::Validating);
    let body = conference.to_body(&credentials, true);
    let mut checked = read(api.post(CREATE, body).await, reply::parse_create);
    if checked == Err(Stop::Reply(Outcome::BadCredentials)) && session.token_is_ours {
        // Our token expired: sign in again once, with the password still typed.
        session.drop_token(draft);
        credentials = sign_in(api, session, draft, step).await?;
        let body = conference.to_body(&credentials, true);
        checked = read(api.post(CREATE, body).await, reply::parse_create);
    }
    match checked.map_err(|stop| stopped(session, draft, stop, false))? {
        Accepted::Validated => {}
        // A switch that ignores validation=1 and creates straight away.
        Accepted::Id(id) => return Ok(created(&conference, id)),
    }

    step(Step::Creating);
    let body = conference.to_body(&credentials, false);
    match read(api.post(CREATE, body).await, reply::parse_create) {
        Ok(Accepted::Id(id)) => Ok(created(&conference, id)),
        Ok(Accepted::Validated) => Err(NotCreated::Failed(Failure {
            message: Message::new("failure.validated_only"),
            detail: None,
            retry: true,
        })),
        Err(stop) => {
            // No clear answer: the switch may have stored it. Remember to look first.
            let unclear = matches!(stop, Stop::Net(_) | Stop::Reply(Outcome::Unexpected(_)));
            if unclear {
                session.uncertain_code = Some(conference.code().to_owned());
            }
            Err(stopped(session, draft, stop, unclear))
        }
    }
}

/// Signs in, and finds out whether this sign-in may create conferences at
/// all, before the person fills the form: the app asks right after the
/// sign-in is typed or handed over. (A create or a suggestion does not ask
/// again: a refusal they meet is [`NotCreated::Denied`] all the same.)
pub async fn check_access(
    api: &impl Api,
    session: &mut Session,
    draft: &mut Draft,
    step: &dyn Fn(Step),
) -> Result<(), NotCreated> {
    let credentials = sign_in(api, session, draft, step).await?;
    probe(api, session, draft, &credentials).await
}

/// An unused code (`conferences/unused/code`) in the draft's customer,
/// signed in as for a create; `None` when none is free.
pub async fn suggest_code(
    api: &impl Api,
    session: &mut Session,
    draft: &mut Draft,
    step: &dyn Fn(Step),
) -> Result<Option<String>, NotCreated> {
    let credentials = sign_in(api, session, draft, step).await?;
    step(Step::Suggesting);
    let mut pairs = credentials.to_pairs();
    let customer = draft.trimmed(Field::Customer);
    if !customer.is_empty() {
        pairs.push(("customer", customer.to_owned()));
    }
    let answer = api
        .post("conferences/unused/code", form::encode(pairs))
        .await;
    read(answer, reply::parse_unused_code).map_err(|stop| stopped(session, draft, stop, false))
}

fn created(conference: &Conference, id: u64) -> CreatedConference {
    CreatedConference {
        id,
        conference: Box::new(conference.clone()),
    }
}

/// Why a call gave no answer to use: no reply, or a reply that refuses.
#[derive(Debug, PartialEq)]
enum Stop {
    Net(NetError),
    Reply(Refusal),
}

impl From<NetError> for Stop {
    fn from(e: NetError) -> Self {
        Stop::Net(e)
    }
}

impl From<Refusal> for Stop {
    fn from(r: Refusal) -> Self {
        Stop::Reply(r)
    }
}

// Every call awaits `Api::post` itself and reads its reply with `read`,
// synchronously: an async helper per function called (and one per type of
// answer) would each bring its own future's code into the bundle (320
// bytes of brotli for the ones this replaced).

/// The function that creates conferences (or, with `validation=1`, checks
/// the request only).
const CREATE: &str = "conferences/create";

/// A reply, or its absence, read by `parse`: the answer, or why there is none.
fn read<T>(
    reply: Result<(u16, Vec<u8>), NetError>,
    parse: fn(u16, &[u8]) -> Outcome<T>,
) -> Result<T, Stop> {
    let (status, bytes) = reply?;
    Ok(parse(status, &bytes).into_result()?)
}

/// `user/login`'s body, asking for a token.
fn login(username: &str, password: &str) -> String {
    form::encode([
        ("auth_username", username),
        ("auth_password", password),
        ("token", "1"),
    ])
}

/// `conferences/get`'s body: the conference with this code, if the caller
/// can see one.
fn find(code: &str, credentials: &Credentials) -> String {
    let mut pairs = credentials.to_pairs();
    pairs.push(("code", code.to_owned()));
    form::encode(pairs)
}

/// The credentials to send: a token (the host's, or one from `user/login`),
/// or the username and password where the switch has no tokens.
async fn sign_in(
    api: &impl Api,
    session: &mut Session,
    draft: &mut Draft,
    step: &dyn Fn(Step),
) -> Result<Credentials, NotCreated> {
    let password_credentials = match Credentials::from_draft(draft) {
        token @ Credentials::Token(_) => return Ok(token),
        Credentials::Password { username, password }
            if username.is_empty() || password.is_empty() =>
        {
            return Err(NotCreated::SignInNeeded { expired: false })
        }
        password => password,
    };
    if session.tokens_supported == Some(false) {
        return Ok(password_credentials);
    }
    let Credentials::Password { username, password } = &password_credentials else {
        unreachable!("a token returned above")
    };
    step(Step::SigningIn);
    let answer = api.post("user/login", login(username, password)).await;
    match read(answer, reply::parse_login) {
        Ok(token) => {
            session.signed_in(draft, &token.token);
            Ok(Credentials::Token(token.token))
        }
        // A switch before 4.1: no tokens, so credentials go in each POST body.
        Err(Stop::Reply(Outcome::Unexpected(_) | Outcome::NotFound)) => {
            session.tokens_supported = Some(false);
            Ok(password_credentials)
        }
        Err(Stop::Reply(Outcome::SecondFactor)) => Err(NotCreated::Failed(Failure {
            message: Message::new("failure.second_step"),
            detail: None,
            retry: false,
        })),
        Err(stop) => Err(stopped(session, draft, stop, false)),
    }
}

/// Whether these credentials may create conferences: a `validation=1`
/// create of an empty draft. [assumed] The switch checks the caller's role
/// (402) and rate plan (403) before the input (400): the vendor's page
/// lists the privilege as a precondition of the call and its codes in
/// that order, and our simulator answers so, but nothing public says which
/// comes first. A switch that checked the input first would answer 400
/// here, and the refusal would come at the create instead, as before.
async fn probe(
    api: &impl Api,
    session: &mut Session,
    draft: &mut Draft,
    credentials: &Credentials,
) -> Result<(), NotCreated> {
    if session.may_create {
        return Ok(());
    }
    let mut pairs = credentials.to_pairs();
    pairs.push((Field::Validation.name(), "1".to_owned()));
    let answer = api.post(CREATE, form::encode(pairs)).await;
    match read(answer, reply::parse_create) {
        // Past the role and the plan: the empty draft itself is what it refuses.
        Ok(_) | Err(Stop::Reply(Outcome::Invalid(_))) => {
            session.may_create = true;
            Ok(())
        }
        Err(stop) => Err(stopped(session, draft, stop, false)),
    }
}

/// Where a call that gave no answer to use leaves the attempt.
/// `maybe_created`: the switch may have stored the conference all the same.
fn stopped(
    session: &mut Session,
    draft: &mut Draft,
    stop: Stop,
    maybe_created: bool,
) -> NotCreated {
    match stop {
        Stop::Net(error) => NotCreated::Failed(no_reply(error, maybe_created)),
        Stop::Reply(Outcome::BadCredentials) => sign_in_refused(session, draft),
        Stop::Reply(refusal) => refused(refusal, maybe_created),
    }
}

/// The switch refused the credentials sent. The token goes either way; a
/// token refused is a sign-in that ended, a password refused a typing slip.
fn sign_in_refused(session: &mut Session, draft: &mut Draft) -> NotCreated {
    let had_token = !draft.get(Field::AuthToken).is_empty();
    session.drop_token(draft);
    if had_token && draft.get(Field::AuthPassword).is_empty() {
        NotCreated::SignInNeeded { expired: true }
    } else {
        NotCreated::BadSignIn
    }
}

/// A reply that refuses: the switch's problems for the fields, or a failure
/// to explain.
fn refused(refusal: Refusal, maybe_created: bool) -> NotCreated {
    let plain = |id| (Message::new(id), None, false);
    let (message, detail, retry) = match refusal {
        Outcome::Invalid(invalid) => return NotCreated::Refused(server_problems(invalid)),
        // The same for the person either way: only their provider can change it.
        Outcome::RoleDenied | Outcome::RatePlanDenied => return NotCreated::Denied,
        Outcome::NotFound => plain("failure.not_found"),
        Outcome::Unexpected(u) => (
            Message::new("failure.unexpected")
                .message("what", unexpected_summary(&u))
                .message("then", then(maybe_created)),
            Some(u),
            true,
        ),
        Outcome::SecondFactor => plain("failure.second_factor"),
        Outcome::Success(never) => match never {},
        // `stopped` handles a 401 before it comes here.
        Outcome::BadCredentials => (Message::new("failure.odd_answer"), None, true),
    };
    NotCreated::Failed(Failure {
        message,
        detail,
        retry,
    })
}

/// No reply at all: the switch was too slow or could not be reached.
fn no_reply(error: NetError, maybe_created: bool) -> Failure {
    let id = match error {
        NetError::Timeout => "failure.timeout",
        NetError::Network => "failure.unreachable",
    };
    Failure {
        message: Message::new(id).message("then", then(maybe_created)),
        detail: None,
        retry: true,
    }
}

/// What a failure means for the conference: maybe created, or nothing lost.
fn then(maybe_created: bool) -> Message {
    Message::new(if maybe_created {
        "failure.maybe_created"
    } else {
        "failure.nothing_lost"
    })
}

fn server_problems(invalid: Vec<Invalid>) -> Vec<ServerProblem> {
    invalid
        .into_iter()
        .map(|i| ServerProblem {
            // A key this form does not know names no field: the problem
            // then shows in the summary only.
            fields: Field::from_name(&i.key).into_iter().collect(),
            // The switch's own words where it gave some (they are in its
            // language, not ours), else which value it refused.
            message: if !i.message.trim().is_empty() {
                Message::new("failure.switch_said").text("text", i.message)
            } else if i.key.is_empty() {
                Message::new("failure.refused_request")
            } else {
                Message::new("failure.refused_key").text("key", i.key)
            },
        })
        .collect()
}

/// What came back instead of an answer, short enough for a sentence.
fn unexpected_summary(u: &Unexpected) -> Message {
    if u.status == 200 {
        u.what.clone()
    } else {
        Message::new("reply.http")
            .text("status", conference::digits::decimal(u.status.into()))
            .message("what", u.what.clone())
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::collections::VecDeque;
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    use super::*;

    type Answer = Result<(u16, &'static str), NetError>;

    /// A switch that answers from a script, in order, and records each call.
    struct FakeSwitch {
        script: RefCell<VecDeque<(&'static str, Answer)>>,
        calls: RefCell<Vec<(String, String)>>,
    }

    impl FakeSwitch {
        fn new(script: impl IntoIterator<Item = (&'static str, Answer)>) -> Self {
            FakeSwitch {
                script: RefCell::new(script.into_iter().collect()),
                calls: RefCell::default(),
            }
        }

        fn functions(&self) -> Vec<String> {
            self.calls.borrow().iter().map(|(f, _)| f.clone()).collect()
        }

        fn body(&self, n: usize) -> String {
            self.calls.borrow()[n].1.clone()
        }
    }

    impl Api for FakeSwitch {
        async fn post(&self, function: &str, body: String) -> Result<(u16, Vec<u8>), NetError> {
            self.calls.borrow_mut().push((function.to_owned(), body));
            let (expected, answer) = self
                .script
                .borrow_mut()
                .pop_front()
                .unwrap_or_else(|| panic!("no answer scripted for {function}"));
            assert_eq!(function, expected);
            answer.map(|(status, body)| (status, body.as_bytes().to_vec()))
        }
    }

    const TOKEN: Answer = Ok((
        200,
        r#"{"responses":[{"code":"200"}],"data":{"auth_token":"t1"}}"#,
    ));
    const VALIDATED: Answer = Ok((200, r#"{"responses":[{"code":"201"}]}"#));
    const CREATED: Answer = Ok((200, r#"{"responses":[{"code":"200"}],"data":{"id":42}}"#));
    const REFUSED: Answer = Ok((200, r#"{"responses":[{"code":"401"}]}"#));
    const NOT_FOUND: Answer = Ok((200, r#"{"responses":[{"code":"404"}]}"#));
    /// The probe of a sign-in that may create: the empty draft refused.
    const MAY_CREATE: Answer = Ok((
        200,
        r#"{"responses":[{"code":"400","key":"code","message":"Enter a conference code"}]}"#,
    ));
    const ROLE_DENIED: Answer = Ok((200, r#"{"responses":[{"code":"402"}]}"#));
    const PLAN_DENIED: Answer = Ok((200, r#"{"responses":[{"code":"403"}]}"#));

    /// The fake switch never waits, so one poll finishes the flow.
    fn run<T>(future: impl Future<Output = T>) -> T {
        match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(t) => t,
            Poll::Pending => panic!("the fake switch never waits"),
        }
    }

    fn draft() -> Draft {
        Draft::new()
            .with(Field::AuthUsername, "alice")
            .with(Field::AuthPassword, "secret")
            .with(Field::Code, "123456")
            .with(Field::TalkPin, "1111")
    }

    /// Runs the flow; returns its result and the steps it announced.
    fn attempt(
        switch: &FakeSwitch,
        session: &mut Session,
        draft: &mut Draft,
    ) -> (Result<CreatedConference, NotCreated>, Vec<Step>) {
        let steps = RefCell::new(Vec::new());
        let result = run(create_conference(switch, session, draft, &|s| {
            steps.borrow_mut().push(s)
        }));
        (result, steps.into_inner())
    }

    #[test]
    fn signs_in_validates_then_creates() {
        let switch = FakeSwitch::new([
            ("user/login", TOKEN),
            ("conferences/create", VALIDATED),
            ("conferences/create", CREATED),
        ]);
        let (mut session, mut draft) = (Session::default(), draft());
        let (result, steps) = attempt(&switch, &mut session, &mut draft);
        let created = result.unwrap();
        assert_eq!((created.id, created.conference.code()), (42, "123456"));
        // What was sent, for the created view, the invitations and the calendar.
        assert_eq!(Ok(*created.conference), Conference::from_draft(&draft));
        assert_eq!(steps, [Step::SigningIn, Step::Validating, Step::Creating]);
        assert!(switch.body(0).contains("token=1"));
        assert!(
            switch.body(1).contains("auth_token=t1") && switch.body(1).contains("validation=1")
        );
        assert!(!switch.body(2).contains("validation") && !switch.body(2).contains("secret"));
        assert_eq!(draft.get(Field::AuthToken), "t1");
        assert!(session.token_is_ours && session.tokens_supported == Some(true));
    }

    #[test]
    fn a_switch_that_creates_on_validation_is_not_asked_twice() {
        let switch = FakeSwitch::new([("user/login", TOKEN), ("conferences/create", CREATED)]);
        let (result, _) = attempt(&switch, &mut Session::default(), &mut draft());
        assert_eq!(result.unwrap().id, 42);
        assert_eq!(switch.functions(), ["user/login", "conferences/create"]);
    }

    #[test]
    fn without_tokens_the_password_goes_in_each_body() {
        let old = Ok((200, r#"{"responses":[{"code":"200"}]}"#));
        let switch = FakeSwitch::new([
            ("user/login", old),
            ("conferences/create", VALIDATED),
            ("conferences/create", CREATED),
        ]);
        let mut session = Session::default();
        let (result, _) = attempt(&switch, &mut session, &mut draft());
        assert_eq!(result.unwrap().id, 42);
        assert_eq!(session.tokens_supported, Some(false));
        assert!(switch.body(2).contains("auth_password=secret"));
    }

    #[test]
    fn bad_credentials_go_on_the_sign_in_fields() {
        let switch = FakeSwitch::new([("user/login", REFUSED)]);
        let (result, _) = attempt(&switch, &mut Session::default(), &mut draft());
        assert_eq!(result, Err(NotCreated::BadSignIn));
    }

    #[test]
    fn no_credentials_asks_for_a_sign_in_without_calling() {
        let switch = FakeSwitch::new([]);
        let mut draft = draft().with(Field::AuthPassword, "");
        let (result, _) = attempt(&switch, &mut Session::default(), &mut draft);
        assert_eq!(result, Err(NotCreated::SignInNeeded { expired: false }));
        assert!(switch.functions().is_empty());
    }

    #[test]
    fn an_expired_token_of_ours_signs_in_again_exactly_once() {
        let switch = FakeSwitch::new([
            ("conferences/create", REFUSED),
            ("user/login", TOKEN),
            ("conferences/create", VALIDATED),
            ("conferences/create", CREATED),
        ]);
        let mut session = Session {
            tokens_supported: Some(true),
            token_is_ours: true,
            uncertain_code: None,
            may_create: true,
        };
        let mut draft = draft().with(Field::AuthToken, "old");
        let (result, _) = attempt(&switch, &mut session, &mut draft);
        assert_eq!(result.unwrap().id, 42);
        assert!(switch.body(0).contains("auth_token=old"));
        assert!(switch.body(2).contains("auth_token=t1"));

        // Refused again after the new sign-in: no third sign-in.
        let switch = FakeSwitch::new([
            ("conferences/create", REFUSED),
            ("user/login", TOKEN),
            ("conferences/create", REFUSED),
        ]);
        let mut draft = draft.with(Field::AuthToken, "old");
        let (result, _) = attempt(&switch, &mut session, &mut draft);
        assert_eq!(result, Err(NotCreated::BadSignIn));
        assert_eq!(draft.get(Field::AuthToken), "");
        assert!(!session.token_is_ours);
    }

    #[test]
    fn the_host_pages_token_refused_is_an_expired_sign_in() {
        let switch = FakeSwitch::new([("conferences/create", REFUSED)]);
        let mut draft = Draft::new()
            .with(Field::AuthToken, "host")
            .with(Field::Code, "123456")
            .with(Field::TalkPin, "1111");
        let (result, _) = attempt(&switch, &mut Session::default(), &mut draft);
        assert_eq!(result, Err(NotCreated::SignInNeeded { expired: true }));
        assert_eq!(draft.get(Field::AuthToken), "");
    }

    #[test]
    fn a_refusal_on_a_field_names_the_field() {
        let invalid = Ok((
            200,
            r#"{"responses":[{"code":"400","key":"code","message":"Code in use"},{"code":"400","key":"nonsense","message":""}]}"#,
        ));
        let switch = FakeSwitch::new([("user/login", TOKEN), ("conferences/create", invalid)]);
        let (result, _) = attempt(&switch, &mut Session::default(), &mut draft());
        assert_eq!(
            result,
            Err(NotCreated::Refused(vec![
                ServerProblem {
                    fields: vec![Field::Code],
                    message: Message::new("failure.switch_said").text("text", "Code in use")
                },
                ServerProblem {
                    fields: vec![],
                    message: Message::new("failure.refused_key").text("key", "nonsense")
                },
            ]))
        );
    }

    /// A create whose reply is lost, then a retry: the retry looks up the code.
    fn lost_then_retry(found: Answer, then: &[(&'static str, Answer)]) -> Vec<String> {
        let switch = FakeSwitch::new([
            ("user/login", TOKEN),
            ("conferences/create", VALIDATED),
            ("conferences/create", Err(NetError::Timeout)),
        ]);
        let (mut session, mut draft) = (Session::default(), draft());
        let (result, _) = attempt(&switch, &mut session, &mut draft);
        let Err(NotCreated::Failed(failure)) = result else {
            panic!("{result:?}")
        };
        assert!(
            failure.retry
                && failure
                    .message
                    .to_string()
                    .contains("may have been created")
        );
        assert_eq!(session.uncertain_code.as_deref(), Some("123456"));

        let retry = FakeSwitch::new(
            [("conferences/get", found)]
                .into_iter()
                .chain(then.to_vec()),
        );
        let (result, steps) = attempt(&retry, &mut session, &mut draft);
        assert_eq!(result.unwrap().id, 42);
        assert_eq!(steps[0], Step::LookingUp);
        assert!(retry.body(0).contains("code=123456") && retry.body(0).contains("auth_token=t1"));
        assert_eq!(session.uncertain_code, None);
        retry.functions()
    }

    #[test]
    fn a_lost_reply_then_the_look_up_finds_the_conference() {
        let found = Ok((200, r#"{"responses":[{"code":"200"}],"data":{"id":"42"}}"#));
        assert_eq!(lost_then_retry(found, &[]), ["conferences/get"]);
    }

    #[test]
    fn a_lost_reply_then_the_look_up_finds_nothing_and_creates() {
        let functions = lost_then_retry(
            NOT_FOUND,
            &[
                ("conferences/create", VALIDATED),
                ("conferences/create", CREATED),
            ],
        );
        assert_eq!(
            functions,
            [
                "conferences/get",
                "conferences/create",
                "conferences/create"
            ]
        );
    }

    #[test]
    fn an_unexpected_reply_is_a_failure_with_what_came_back() {
        let gateway = Ok((502, "<html>502 Bad Gateway</html>"));
        let switch = FakeSwitch::new([("user/login", TOKEN), ("conferences/create", gateway)]);
        let mut session = Session::default();
        let (result, _) = attempt(&switch, &mut session, &mut draft());
        let Err(NotCreated::Failed(failure)) = result else {
            panic!("{result:?}")
        };
        assert!(failure
            .message
            .to_string()
            .contains("HTTP 502: a reply that is not JSON"));
        assert!(failure
            .message
            .to_string()
            .contains("Nothing you typed is lost"));
        assert!(failure.detail.unwrap().excerpt.contains("Bad Gateway"));
        assert!(failure.retry);
        // Refused at validation: nothing can have been created.
        assert_eq!(session.uncertain_code, None);
    }

    #[test]
    fn a_role_or_plan_without_conferences_is_known_right_after_the_sign_in() {
        for denied in [ROLE_DENIED, PLAN_DENIED] {
            let switch = FakeSwitch::new([("user/login", TOKEN), ("conferences/create", denied)]);
            let mut session = Session::default();
            let mut draft = Draft::new()
                .with(Field::AuthUsername, "alice")
                .with(Field::AuthPassword, "secret");
            let result = run(check_access(&switch, &mut session, &mut draft, &|_| {}));
            assert_eq!(result, Err(NotCreated::Denied));
            assert_eq!(switch.body(1), "auth_token=t1&validation=1");
            assert!(!session.access_known(), "asked again next time");
        }
    }

    #[test]
    fn a_sign_in_that_may_create_is_asked_once_and_again_for_another_sign_in() {
        let switch = FakeSwitch::new([("user/login", TOKEN), ("conferences/create", MAY_CREATE)]);
        let (mut session, mut draft) = (Session::default(), draft());
        assert_eq!(
            run(check_access(&switch, &mut session, &mut draft, &|_| {})),
            Ok(())
        );
        // Nothing more to ask: no call at all.
        let quiet = FakeSwitch::new([]);
        assert_eq!(
            run(check_access(&quiet, &mut session, &mut draft, &|_| {})),
            Ok(())
        );
        // Another sign-in is asked about; a 201 (a switch that passes the
        // empty draft) is no refusal either.
        session.sign_in_changed(&mut draft);
        assert!(!session.access_known());
        let switch = FakeSwitch::new([("user/login", TOKEN), ("conferences/create", VALIDATED)]);
        assert_eq!(
            run(check_access(&switch, &mut session, &mut draft, &|_| {})),
            Ok(())
        );
        assert!(session.access_known());
    }

    #[test]
    fn a_refusal_at_the_create_is_denied_all_the_same() {
        for denied in [ROLE_DENIED, PLAN_DENIED] {
            let switch = FakeSwitch::new([("user/login", TOKEN), ("conferences/create", denied)]);
            let (result, _) = attempt(&switch, &mut Session::default(), &mut draft());
            assert_eq!(result, Err(NotCreated::Denied));
        }
    }

    #[test]
    fn a_host_token_is_probed_without_a_sign_in() {
        let switch = FakeSwitch::new([("conferences/create", ROLE_DENIED)]);
        let mut draft = Draft::new().with(Field::AuthToken, "host");
        let result = run(check_access(
            &switch,
            &mut Session::default(),
            &mut draft,
            &|_| {},
        ));
        assert_eq!(result, Err(NotCreated::Denied));
        assert_eq!(switch.body(0), "auth_token=host&validation=1");
    }

    #[test]
    fn a_sign_in_with_a_second_step_asks_for_a_token_instead() {
        let switch =
            FakeSwitch::new([("user/login", Ok((200, r#"{"responses":[{"code":"202"}]}"#)))]);
        let (result, _) = attempt(&switch, &mut Session::default(), &mut draft());
        let Err(NotCreated::Failed(failure)) = result else {
            panic!("{result:?}")
        };
        assert!(failure.message.to_string().contains("sign-in token") && !failure.retry);
    }

    #[test]
    fn a_suggestion_signs_in_and_names_the_customer() {
        let code = Ok((
            200,
            r#"{"responses":[{"code":"200"}],"data":{"code":"654321"}}"#,
        ));
        let switch = FakeSwitch::new([("user/login", TOKEN), ("conferences/unused/code", code)]);
        let (mut session, mut draft) = (Session::default(), draft().with(Field::Customer, " 7 "));
        let steps = RefCell::new(Vec::new());
        let result = run(suggest_code(&switch, &mut session, &mut draft, &|s| {
            steps.borrow_mut().push(s)
        }));
        assert_eq!(result, Ok(Some("654321".to_owned())));
        assert_eq!(steps.into_inner(), [Step::SigningIn, Step::Suggesting]);
        assert_eq!(switch.body(1), "auth_token=t1&customer=7");
        assert_eq!(draft.get(Field::AuthToken), "t1");
    }

    #[test]
    fn a_suggestion_refused_for_the_token_asks_for_a_sign_in() {
        let switch = FakeSwitch::new([("conferences/unused/code", REFUSED)]);
        let mut draft = Draft::new().with(Field::AuthToken, "host");
        let result = run(suggest_code(
            &switch,
            &mut Session::default(),
            &mut draft,
            &|_| {},
        ));
        assert_eq!(result, Err(NotCreated::SignInNeeded { expired: true }));
        assert_eq!(draft.get(Field::AuthToken), "");
    }

    #[test]
    fn a_changed_sign_in_ends_our_token_but_not_the_host_pages() {
        let mut host = Draft::new().with(Field::AuthToken, "host");
        Session::default().sign_in_changed(&mut host);
        assert_eq!(host.get(Field::AuthToken), "host");

        let (mut session, mut ours) = (Session::default(), draft());
        session.signed_in(&mut ours, "t1");
        session.sign_in_changed(&mut ours);
        assert_eq!(ours.get(Field::AuthToken), "");
        assert!(!session.token_is_ours);
    }

    #[test]
    fn a_lost_reply_at_validation_says_nothing_was_created() {
        let switch = FakeSwitch::new([
            ("user/login", TOKEN),
            ("conferences/create", Err(NetError::Network)),
        ]);
        let mut session = Session::default();
        let (result, _) = attempt(&switch, &mut session, &mut draft());
        let Err(NotCreated::Failed(failure)) = result else {
            panic!("{result:?}")
        };
        let words = failure.message.to_string();
        assert!(
            words.contains("Nothing you typed is lost") && failure.retry,
            "{words}"
        );
        assert_eq!(session.uncertain_code, None);
    }
}
