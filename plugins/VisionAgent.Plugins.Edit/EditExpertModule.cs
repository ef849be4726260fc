using VisionAgent.Abstractions;

namespace VisionAgent.Plugins.Edit;

/// <summary>The edit expert: Stable Diffusion inpainting and object removal, and edits that need no model.</summary>
public sealed class EditExpertModule : IExpertModule
{
    public object CreatePlugin(ExpertContext context) => new EditPlugin(context);
}
