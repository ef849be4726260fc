using System.Runtime.CompilerServices;
using VisionAgent.Testing;

namespace VisionAgent.Evaluation.Tests;

internal static class TestAssemblySetup
{
    // CA2255 is about libraries that others load; this test assembly is the process, and its data folder must be set before any test runs.
#pragma warning disable CA2255
    [ModuleInitializer]
    internal static void UseTemporaryDataHome() => TestDataHome.Use();
#pragma warning restore CA2255
}
