"""The framework suites that judge the mock, and the verdicts on failures that are not the mock's fault.

Each suite is a framework's own Anthropic integration tests, taken from its PyPI sdist (pinned), run
unchanged against the mock. A failing test that no verdict names counts as "mock wrong": the mock
must be fixed, or the failure looked at and given a verdict here with its reason.

Looked at and not added: llama-index-llms-anthropic (its sdist ships no tests, and the judge takes
tests from PyPI only), openai-agents (its LiteLLM and Anthropic tests fake LiteLLM's call or only
convert messages, so no request reaches the mock), litellm (its sdist needs a Rust build to prepare, which the
registries reachable here cannot supply).
"""

from __future__ import annotations

from dataclasses import dataclass, field

INTELLIGENCE = "needs intelligence"
NETWORK = "needs network"
MOCK_WRONG = "mock wrong"
_CAPITAL = (INTELLIGENCE, "knows that the capital of France is Paris")


@dataclass(frozen=True)
class Suite:
    name: str
    package: str  # the sdist the tests come from, pinned
    installs: tuple[str, ...]  # what the tests import, beside the package itself
    paths: tuple[str, ...]  # test files or folders inside the sdist
    pytest_args: tuple[str, ...] = ()
    verdicts: dict[str, tuple[str, str]] = field(default_factory=dict)  # test name part -> (kind, why)


# Models the suites name that the mock's catalogue lists as retired since the suites were released:
# the judge's mock serves them (as deprecated), so the tests exercise the mock rather than a 404.
REVIVED_MODELS = ("claude-sonnet-4-5-20250929",)

SUITES = (
    Suite(
        name="haystack (anthropic-haystack)",
        package="anthropic-haystack==8.0.1",
        installs=("pytest", "pytest-asyncio", "pillow"),
        paths=("tests/test_chat_generator.py", "tests/test_chat_generator_async.py", "tests/test_token_counter.py"),
        pytest_args=("-m", "integration"),
        verdicts={
            "TestIntegration::test_live_run[": _CAPITAL,
            "TestIntegration::test_live_run_async": _CAPITAL,
            "test_live_run_multimodal": (INTELLIGENCE, "says what an image shows (an apple)"),
            "test_live_run_agent_with_multimodal_content_in_tool_result":
                (INTELLIGENCE, "says what an image a tool returned shows (an apple)"),
        },
    ),
    Suite(
        name="instructor",
        package="instructor==1.17.0",
        installs=("instructor[anthropic]==1.17.0", "pytest", "pytest-asyncio", "python-dotenv", "jsonref"),
        paths=("tests/llm/test_anthropic",),
        verdicts={
            "test_multimodal_image_description": (NETWORK, "downloads its test image from a public host"),
            "test_multimodal_pdf_file": (INTELLIGENCE, "reads an invoice's total (220) from a PDF drawn in CID glyphs; "
                                                      "the sibling test whose prompt states the total passes"),
            "test_reasoning": (INTELLIGENCE, "knows that 9.8 is larger than 9.11"),
        },
    ),
    Suite(
        name="strands-agents",
        package="strands-agents==1.62.0",
        installs=("strands-agents[anthropic,gemini,litellm,llamaapi,mistral,ollama,openai,writer]==1.62.0",
                  "pytest", "pytest-asyncio", "boto3", "tenacity", "requests"),
        paths=("tests_integ/models/test_model_anthropic.py",),
        verdicts={
            "test_invoke_multi_modal_input": (INTELLIGENCE, "says an image's colour (yellow)"),
            "test_structured_output_multi_modal_input": (INTELLIGENCE, "says an image's colour (yellow)"),
        },
    ),
)
