"""The customer action endpoint: an HTTP API in front of the actions function, and the link key secret.

Why an HTTP API and not a Lambda function URL: the endpoint is public (the signature is the authorization),
so it must be rate-limited; HTTP API stage throttling does that in one setting, before any Lambda runs, and
gives access logs without the path (the token). A function URL would need reserved concurrency (which new
accounts with a low concurrency quota cannot spare) plus our own per-client limits.
"""

from __future__ import annotations

import jsii
from aws_cdk import Acknowledgment, RemovalPolicy, Validations
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct
from outreach_lambda.domain.links import ACTION_PATH

#: Requests per second the whole endpoint takes (steady, and in a burst); more get 429 before any Lambda runs.
#: A shop's customers click a few links a minute; a scanner or a flood is cut off here.
RATE_LIMIT = 20
BURST_LIMIT = 40
#: The link key secret's first key id (rotation adds k2, k3 ...: docs/contracts.md, "Signed links").
FIRST_KEY_ID = "k1"

#: Access log fields: never the path (it carries the link token) and no client address.
ACCESS_LOG_FORMAT = (
    '{"requestId":"$context.requestId","time":"$context.requestTime","method":"$context.httpMethod",'
    '"route":"$context.routeKey","status":"$context.status","latencyMs":"$context.responseLatency",'
    '"integrationError":"$context.integrationErrorMessage"}'
)


class CustomerActions(Construct):
    """The link key secret and the public HTTP API ``GET|POST /a/{token}`` (routed once the function exists)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH,
        log_removal_policy: RemovalPolicy = RemovalPolicy.DESTROY,
    ) -> None:
        super().__init__(scope, construct_id)
        self.link_key_secret = secretsmanager.Secret(
            self,
            "LinkKeys",
            description="Outreach one-click link keys: {'current': key id, '<key id>': key}; see docs/contracts.md",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template=f'{{"current": "{FIRST_KEY_ID}"}}',
                generate_string_key=FIRST_KEY_ID,
                password_length=64,
                exclude_punctuation=True,
            ),
            removal_policy=RemovalPolicy.RETAIN,  # links already sent must keep working across a redeploy
        )
        self.api = apigwv2.HttpApi(
            self,
            "Api",
            description="Outreach customer actions: signed one-click links from customer messages",
            create_default_stage=False,
        )
        self.access_logs = logs.LogGroup(self, "AccessLogs", retention=log_retention, removal_policy=log_removal_policy)
        self.stage = apigwv2.HttpStage(
            self,
            "Stage",
            http_api=self.api,
            stage_name="$default",
            auto_deploy=True,
            throttle=apigwv2.ThrottleSettings(rate_limit=RATE_LIMIT, burst_limit=BURST_LIMIT),
            access_log_settings=apigwv2_access_logs(self.access_logs),
        )
        self.routes: list[apigwv2.HttpRoute] = []

    @property
    def url(self) -> str:
        """The endpoint's base URL (links are ``<url>a/<token>``)."""
        return self.stage.url

    def route_to(self, function: lambda_.IFunction) -> None:
        integration = integrations.HttpLambdaIntegration("ActionsIntegration", function)
        self.routes = self.api.add_routes(
            path=f"{ACTION_PATH}{{token}}",
            methods=[apigwv2.HttpMethod.GET, apigwv2.HttpMethod.HEAD, apigwv2.HttpMethod.POST],
            integration=integration,
        )
        for route in self.routes:
            Validations.of(route).acknowledge(
                Acknowledgment(
                    id="AwsSolutions::AwsSolutions-APIG4",
                    reason="Public by design: customers click links in e-mails without an account. The signed, "
                    "expiring link token (HMAC-SHA256, verified in constant time) is the authorization; the stage "
                    "is throttled and a link acts once.",
                )
            )
        Validations.of(self.link_key_secret).acknowledge(
            Acknowledgment(
                id="AwsSolutions::AwsSolutions-SMG4",
                reason="Link keys are rotated by hand with an overlap (add a new key id, make it current, remove "
                "the old one after the longest link lifetime): automatic rotation would replace the key at once "
                "and break every link already sent. The procedure is in docs/contracts.md.",
            )
        )


@jsii.implements(apigwv2.IAccessLogSettings)
class _AccessLogs:
    """Access logs to a log group in ``ACCESS_LOG_FORMAT``."""

    def __init__(self, log_group: logs.ILogGroup) -> None:
        self._destination = apigwv2.LogGroupLogDestination(log_group)

    @property
    def destination(self) -> apigwv2.IAccessLogDestination:
        return self._destination

    @property
    def format(self) -> apigw.AccessLogFormat:
        return apigw.AccessLogFormat.custom(ACCESS_LOG_FORMAT)


def apigwv2_access_logs(log_group: logs.ILogGroup) -> apigwv2.IAccessLogSettings:
    return _AccessLogs(log_group)  # type: ignore[return-value]
